/*
 * SwiftPM builds a C target only if it has a source file; everything CZlib
 * offers is in include/CZlib.h, so this file only makes the target exist.
 */
#include "CZlib.h"

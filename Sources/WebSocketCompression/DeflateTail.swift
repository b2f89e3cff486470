/// The four bytes a sync flush ends with (an empty stored block's LEN and
/// NLEN), which permessage-deflate and deflate-frame strip from each
/// message and the receiver puts back.
enum DeflateTail {
    static let bytes: [UInt8] = [0x00, 0x00, 0xFF, 0xFF]
}

"""check-documented.py XML_DIR EXPORTS_FILE

Fails unless every public symbol of libwebsockets.h has a description in
Doxygen's XML output. Doxygen itself warns about undocumented functions,
macros, typedefs and struct members, but not about enum values (every
callback reason, option bit and status code must say what it is), and a
function hidden from it by the preprocessor would go unnoticed: so every
function the library exports (EXPORTS_FILE, one name a line) must appear,
documented.
"""

import glob
import os
import sys
import xml.etree.ElementTree as ET


def described(element):
    text = ""
    for part in ("briefdescription", "detaileddescription"):
        node = element.find(part)
        if node is not None:
            text += "".join(node.itertext())
    return text.strip() != ""


def main(xml_dir, exports_file):
    undocumented = set()
    functions = set()
    for path in glob.glob(os.path.join(xml_dir, "*.xml")):
        for member in ET.parse(path).getroot().iter("memberdef"):
            name = member.findtext("name")
            if member.get("kind") == "function":
                functions.add(name)
            if not described(member):
                undocumented.add(f"{member.get('kind')} {name}")
            for value in member.iter("enumvalue"):
                if not described(value):
                    undocumented.add(f"enum value {value.findtext('name')}")
    with open(exports_file) as f:
        exported = {line.strip() for line in f
                    if line.strip() and not line.startswith("#")}
    for name in sorted(exported - functions):
        undocumented.add(f"function {name} (exported, absent from the reference)")
    for entry in sorted(undocumented):
        print(f"check-documented: undocumented: {entry}")
    print(f"check-documented: {len(functions)} functions, "
          f"{len(undocumented)} undocumented symbols")
    return 1 if undocumented else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))

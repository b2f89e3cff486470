"""Bytes on the wire with and without permessage-deflate.

A raw socket client sends test-echo a compressible 16 KiB JSON-like
message (extkit.json_like: records with repeated keys and varying values)
and counts the bytes of the frame that comes back: header plus payload,
what the server puts on the wire.  Then twenty different documents of the
same shape on one connection, where context takeover lets each message
refer to the ones before.  The ratios are printed (and asserted to be
worth having).
"""

import extkit
from extkit import Deflater, Inflater
from rawws import OP_TEXT

SIZE = 16 << 10


def wire_size(frame):
    n = len(frame.payload)
    return n + (2 if n < 126 else 4 if n < 65536 else 10)


def echo_sizes(port, offer, documents):
    sizes = []
    with extkit.connect(port, offer=offer) as ws:
        send, receive = Deflater(), Inflater()
        for doc in documents:
            if offer:
                ws.send_frame(OP_TEXT, send.message(doc), rsv=4)
            else:
                ws.send_frame(OP_TEXT, doc)
            [frame] = extkit.recv_data_frames(ws)
            payload = receive.message(frame.payload) if frame.rsv & 4 \
                else frame.payload
            assert payload == doc
            assert bool(frame.rsv & 4) == bool(offer)
            sizes.append(wire_size(frame))
    return sizes


def test_compression_ratio_of_a_16k_json_message(echo_server, capsys):
    documents = [extkit.json_like(SIZE, seed=s) for s in range(20)]
    assert all(len(d) == SIZE for d in documents)

    plain = echo_sizes(echo_server.port, None, documents)
    compressed = echo_sizes(echo_server.port, "permessage-deflate",
                            documents)
    assert plain == [SIZE + 4] * len(documents)

    first = compressed[0] / plain[0]
    steady = sum(compressed[1:]) / sum(plain[1:])
    with capsys.disabled():
        print(f"\npermessage-deflate, 16 KiB JSON-like message: "
              f"{plain[0]} bytes on the wire uncompressed, "
              f"{compressed[0]} compressed (ratio {first:.3f}); "
              f"messages 2-20 with context takeover: "
              f"{sum(compressed[1:]) / 19:.0f} bytes on average "
              f"(ratio {steady:.3f})")
    assert first < 0.3
    assert steady <= first

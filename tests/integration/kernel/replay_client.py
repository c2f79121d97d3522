"""A byte-identical replay of a signed execute_request, sent with jupyter_client's own Session and socket.

jupyter_client's Session refuses a repeated signature (digest_history); the kernel must too (issue 17 item 17).
Prints one JSON line; replay.test.ts checks it.
"""
import json

from jupyter_client.manager import start_new_kernel

km, kc = start_new_kernel(kernel_name="flowbook", startup_timeout=60)
try:
    kc.execute_interactive("let replayRuns = 0", timeout=30)
    session = kc.session
    msg = session.msg("execute_request", {"code": "replayRuns++", "silent": False, "store_history": True,
                                          "user_expressions": {}, "allow_stdin": False, "stop_on_error": True})
    frames = session.serialize(msg)  # [b'<IDS|MSG>', signature, header, parent, metadata, content]
    sock = kc.shell_channel.socket
    sock.send_multipart(frames)
    reply = kc.get_shell_msg(timeout=30)
    sock.send_multipart(frames)  # the same bytes again: refused by the kernel
    second = None
    try:
        second = kc.get_shell_msg(timeout=2)["content"].get("status")
    except Exception:
        pass
    outputs = []
    kc.execute_interactive("replayRuns", timeout=30, output_hook=outputs.append)
    runs = [m["content"]["data"]["text/plain"] for m in outputs if m["msg_type"] == "execute_result"]
    print(json.dumps({"first": reply["content"]["status"], "second_reply": second, "runs": runs}))
finally:
    kc.stop_channels()
    km.shutdown_kernel(now=True)

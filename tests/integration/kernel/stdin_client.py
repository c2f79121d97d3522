"""prompt()/confirm()/input() through jupyter_client, the client library nbclient and JupyterLab's server use.

Prints one JSON line per case; the jest test (stdin.test.ts) checks them.
"""
import json
import sys

from jupyter_client.manager import start_new_kernel

km, kc = start_new_kernel(kernel_name="flowbook", startup_timeout=60)
results = {}
INTERRUPT = object()


def run(name, code, answers, allow_stdin=True, timeout=30):
    asked = []

    def stdin_hook(msg):
        asked.append(msg["content"])
        if answers[0] is INTERRUPT:
            answers.pop(0)
            km.interrupt_kernel()  # interrupt_mode message: interrupt_request on control
        else:
            kc.input(answers.pop(0))

    outputs = []
    reply = kc.execute_interactive(code, allow_stdin=allow_stdin, stdin_hook=stdin_hook,
                                   output_hook=outputs.append, timeout=timeout)
    results[name] = {
        "status": reply["content"]["status"],
        "ename": reply["content"].get("ename"),
        "evalue": reply["content"].get("evalue"),
        "asked": asked,
        "result": [o["content"]["data"]["text/plain"] for o in outputs if o["msg_type"] == "execute_result"],
        "stdout": "".join(o["content"]["text"] for o in outputs if o["msg_type"] == "stream"),
    }


try:
    run("prompt", 'console.log("before"); const who = prompt("Your name?"); `hello ${who}`', ["flow"])
    run("default", 'prompt("Size?", "8")', [""])
    run("confirm", '[confirm("Go?"), confirm("Again?")]', ["yes", "n"])
    run("password", 'input("Token: ", { password: true }).length', ["s3cret"])
    run("no-stdin", 'prompt("nobody can answer")', [], allow_stdin=False)
    run("after", 'who', [])
    run("interrupted", 'prompt("never answered")', [INTERRUPT])
    kc.input("late")  # a reply nobody waits for any more: must not answer the next prompt
    run("fresh", 'prompt("again?")', ["second"])
finally:
    kc.stop_channels()
    km.shutdown_kernel(now=False)

print(json.dumps(results))
sys.stdout.flush()

"""jupyter_kernel_test suite for flowbook; run by jupyter-kernel-test.test.ts (needs JUPYTER_PATH set)."""
import unittest

import jupyter_kernel_test as jkt


class FlowbookKernelTests(jkt.KernelTests):
    kernel_name = "flowbook"
    language_name = "typescript"
    file_extension = ".ts"

    code_hello_world = 'console.log("hello, world")'
    code_stderr = 'console.error("oops")'
    completion_samples = [
        {"text": "Math.fl", "matches": {"floor"}},
        {"text": "const zebraStripes = 1; zebraSt"},
        {"text": "[1, 2].inclu", "matches": {"includes"}},  # from the types (language worker)
        {"text": "'abc'.toUpp", "matches": {"toUpperCase"}},
        {"text": "(await Promise.resolve([1])).fla", "matches": {"flat", "flatMap"}},
        {"text": "const qqLongName = 1; qqLong", "matches": {"qqLongName"}},
        {"text": "function f() { const localVar = 1; localV", "matches": {"localVar"}},
        {"text": "JSON.str", "matches": {"stringify"}},
    ]
    complete_code_samples = ["1 + 1", "const a = 1", "function f() { return 1 }", "await Promise.resolve(1)"]
    incomplete_code_samples = ["function f() {", "const a = [1,", "if (x) {\n  foo(", "`abc"]
    invalid_code_samples = ["const = 5", "1 +* 2", "let let = 1;\nfoo)"]
    code_page_something = 'page("some help text")'
    code_generate_error = 'throw new Error("boom")'
    code_execute_result = [
        {"code": "1 + 2", "result": "3"},
        {"code": "'a' + 'b'", "result": "'ab'"},
        {"code": "await Promise.resolve(42)", "result": "42"},
        {"code": "({ [Symbol.for('flowbook.mimebundle')]: () => ({ 'text/html': '<b>x</b>' }) })", "mime": "text/html"},
    ]
    code_display_data = [
        {"code": 'display.html("<b>hi</b>")', "mime": "text/html"},
        {"code": 'display.svg("<svg></svg>")', "mime": "image/svg+xml"},
        {"code": "display({ a: 1 })", "mime": "text/plain"},
    ]
    code_history_pattern = "1 + *"
    supported_history_operations = ("tail", "range", "search")
    code_inspect_sample = "Math.max"
    code_clear_output = "display.clear()"


if __name__ == "__main__":
    unittest.main()

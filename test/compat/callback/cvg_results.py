# A stdout callback for the differential tests: prints one JSON document
# with every task's result per host, in order. ansible-core 2.14 ships no json
# callback of its own (that one is in the ansible.posix collection).
from __future__ import annotations

import json
import math

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = '''
    name: cvg_results
    type: stdout
    short_description: every task result as one JSON document (converge's tests)
    description: every task result as one JSON document (converge's tests)
'''


def plain(v):
    """Python values as JSON can carry them: float specials and odd keys as text."""
    if isinstance(v, bool) or v is None or isinstance(v, (int, str)):
        return v
    if isinstance(v, float):
        if math.isnan(v) or math.isinf(v):
            return {'__float__': repr(v)}
        return v
    if isinstance(v, dict):
        return {(k if isinstance(k, str) else json.dumps(plain(k))): plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    return str(v)


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'stdout'
    CALLBACK_NAME = 'cvg_results'

    def __init__(self):
        super().__init__()
        self.tasks = []

    def v2_playbook_on_task_start(self, task, is_conditional):
        self.tasks.append({'name': task.get_name(), 'hosts': {}})

    def _record(self, result, status):
        res = dict(result._result)
        res['_status'] = status
        self.tasks[-1]['hosts'][result._host.get_name()] = plain(res)

    def v2_runner_on_ok(self, result):
        self._record(result, 'changed' if result._result.get('changed') else 'ok')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, 'failed')

    def v2_runner_on_skipped(self, result):
        self._record(result, 'skipped')

    def v2_runner_on_unreachable(self, result):
        self._record(result, 'unreachable')

    def v2_playbook_on_stats(self, stats):
        self._display.display(json.dumps({'tasks': self.tasks}))

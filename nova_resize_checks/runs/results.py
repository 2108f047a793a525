# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.


"""What the run layer works on and gives back: versions, results, outcomes.

A *version* is a test file's source plus an optional overlay of nova files
(module path -> source).  The caller names its identity (``key``): the run
layer does not know how the caller normalises code, only that two versions
with one key are the same version.
"""

import dataclasses
import hashlib
import json
import typing

REAL = 'real'
PASS = 'pass'
FAIL = 'fail'
ERROR = 'error'
TIMEOUT = 'timeout'
# Not run because it cannot matter: the version already fails against real
# nova, so no mutant run can change its verdict.
SKIPPED = 'skipped'
# The run tripped a resource limit (memory, file size, CPU, output size).
LIMIT = 'limit'
# The confinement stopped something the run attempted (a system call the
# seccomp filter kills on, or an event the reporter refused); the evidence
# says what.
REFUSED = 'refused'
OUTCOMES = (PASS, FAIL, ERROR, TIMEOUT, LIMIT, REFUSED, SKIPPED)


@dataclasses.dataclass(frozen=True)
class Version:
    """A test source and the nova files it runs with."""
    test_source: str
    overlay: typing.Tuple[typing.Tuple[str, str], ...] = ()
    label: str = ''
    # The caller's identity for this version (e.g. a hash of its
    # normalised code); by default a hash of the exact text.
    known_key: str = dataclasses.field(default='', compare=False)

    def key(self):
        if self.known_key:
            return self.known_key
        return hashlib.sha256(json.dumps(
            [self.test_source, sorted(self.overlay)]).encode()).hexdigest()


@dataclasses.dataclass
class RunResult:
    variant: str
    outcome: str
    seconds: float = 0.0
    evidence: str = ''            # first failing assertion's message
    failing_test: str = ''
    failing_line: int = 0
    failing_code: str = ''
    allocation_assertion: bool = False
    cached: bool = False
    # What the confinement saw the run attempt (outcome REFUSED).
    attempts: typing.List[str] = dataclasses.field(default_factory=list)
    # Not run: the caller knew the outcome without running (the evidence
    # says how).
    known: bool = False

    def to_dict(self):
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data):
        fields = {f.name for f in dataclasses.fields(cls)}
        if not isinstance(data, dict) or not set(data) <= fields:
            raise ValueError('not a run result')
        result = cls(**data)
        if result.outcome not in OUTCOMES or not isinstance(
                result.variant, str):
            raise ValueError('not a run result')
        return result

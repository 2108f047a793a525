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
(module path -> source).  Its identity (``key``) is a digest of the exact
bytes a run writes and imports: two versions are one only when every file
they run is byte for byte the same.

Sources are run as text, exactly as the caller (and the static gate) read
it: :func:`source_text` decodes code the way Python would decode a file
holding it (a PEP 263 coding declaration, a byte-order mark, universal
newlines) and takes the declaration out, so the file a run imports is
UTF-8 with no coding declaration and means what the text means.
"""

import codecs
import dataclasses
import hashlib
import io
import json
import re
import tokenize
import typing

REAL = 'real'
# Real nova through the mutant machinery, unchanged (mutants.SHAM).
SHAM = 'sham'
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


# PEP 263: a comment on line 1 or 2 naming the source's encoding.
_CODING = re.compile(r'^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)')
CODING_REMOVED = '# (coding declaration removed: this file is UTF-8)'


class NotText(ValueError):
    """Code that cannot be written as UTF-8 text (lone surrogates)."""


def source_text(code):
    """``code`` as Python would read it from a file, ready to run as UTF-8.

    The text is encoded as UTF-8 (as a review file holding it is), decoded
    as Python's import would decode those bytes (coding declaration,
    byte-order mark), its newlines made universal and any coding
    declaration on its first two lines replaced by a comment that is not
    one.  Bytes Python could not decode are left as they are (the import
    would fail; run as UTF-8 they mean what the text shows).  Idempotent.
    """
    data = code.encode('utf-8', 'surrogatepass')
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeError, ValueError):
        text = code
    text = text.replace('\r\n', '\n').replace('\r', '\n')
    if text.startswith(codecs.BOM_UTF8.decode('utf-8')):
        text = text[1:]
    lines = text.split('\n')
    for index in range(min(2, len(lines))):
        if _CODING.match(lines[index]):
            lines[index] = CODING_REMOVED
    return '\n'.join(lines)


def run_bytes(text):
    """The bytes a run writes for ``text``: strict UTF-8 (or NotText)."""
    try:
        return text.encode('utf-8')
    except UnicodeError as exc:
        raise NotText('the code is not valid text (%s)' % exc)


def _digest(text):
    try:
        data = run_bytes(text)
    except NotText:
        data = text.encode('utf-8', 'surrogatepass')
    return hashlib.sha256(data).hexdigest()


@dataclasses.dataclass(frozen=True)
class Version:
    """A test source and the nova files it runs with.

    Sources are given as :func:`source_text` made them; the run layer
    refuses to run one that is not (see :meth:`runnable`).
    """
    test_source: str
    overlay: typing.Tuple[typing.Tuple[str, str], ...] = ()
    label: str = ''

    def key(self):
        """A digest of the exact bytes this version runs."""
        return hashlib.sha256(json.dumps(
            [_digest(self.test_source),
             sorted((path, _digest(text)) for path, text in self.overlay)]
        ).encode()).hexdigest()

    def runnable(self):
        """None, or why the run layer must not run this version."""
        for name, text in [('the test', self.test_source)] + list(
                self.overlay):
            try:
                run_bytes(text)
            except NotText as exc:
                return '%s: %s' % (name, exc)
            if source_text(text) != text:
                return ('%s: not the text Python would run (a coding '
                        'declaration, byte-order mark or carriage return '
                        'left in)' % name)
        return None


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
    # Not run: the review's or the invocation's budget was spent.
    over_budget: bool = False

    @property
    def failed_outside(self):
        """A run failure with no frame in the version's own file.

        :func:`.failure.fold` finds the failing line only in the test's
        file, so a failure without one came from nova's test machinery
        (a fixture's assertion, a thread's race), not from an assertion
        the version makes.
        """
        return self.outcome == FAIL and not self.failing_line and \
            not self.known

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

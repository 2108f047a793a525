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


"""Plain data passed between the stages of the review meta-check.

Every stage takes these and returns these; no stage prints or reaches back
into an earlier one.  All line numbers are 1-based lines of the review text.
"""

import dataclasses
import typing

from nova_resize_checks.runs import results

# Kinds of change a review can propose.
TEST_FULL = 'test-full'          # a whole new version of the test file
TEST_SNIPPET = 'test-snippet'    # defs, classes or statements to anchor in
TEST_DIFF = 'test-diff'          # unified diff against the test file
NOVA_DIFF = 'nova-diff'          # unified diff against a nova source file
LINE_CHANGE = 'line-change'      # "change line N to ..."
RENAME = 'rename'                # "rename `A` to `B`" (consistent rename)
REMOVE = 'remove'                # "`X` can be removed", "remove unused `Y`"
REPLACE = 'replace'              # "replace `A` with `B` [in `Z`]"
INSERT = 'insert'                # "add `X` after/before `Y` [in `Z`]"

# What a REMOVE removes besides a named definition (Change.unit).
CALLS = 'calls'
KEYWORD = 'keyword'

CHANGE_KINDS = (TEST_FULL, TEST_SNIPPET, TEST_DIFF, NOVA_DIFF, LINE_CHANGE,
                RENAME, REMOVE, REPLACE, INSERT)

# Kinds of finding (checkable without running anything).
UNKNOWN_NAME = 'unknown-name'        # names that exist nowhere relevant
USED_NOT_UNUSED = 'used-not-unused'  # called unused, but it is used
LINE_MISMATCH = 'line-mismatch'      # line N does not hold what is quoted
UNPARSED_CLAIM = 'unparsed-claim'    # a claim that could not become a change
UNSAFE_CODE = 'unsafe-code'          # the static safety gate refused code
CONTRADICTION = 'contradiction'      # e.g. assertions that cannot all hold
INPUT_ERROR = 'input-error'          # the review itself could not be read


@dataclasses.dataclass(frozen=True)
class Span:
    start: int
    end: int

    def as_list(self):
        return [self.start, self.end]


@dataclasses.dataclass
class Block:
    """A piece of the review: fenced code, a numbered listing or prose."""
    kind: str                 # 'fence' | 'listing' | 'prose'
    text: str                 # content; a listing has its numbers stripped
    span: Span
    info: str = ''            # a fence's info string ('python', 'diff', ...)
    # For listings: original line number of each line of ``text``.
    numbers: typing.Tuple[int, ...] = ()


@dataclasses.dataclass
class ParsedReview:
    path: str
    text: str
    blocks: typing.List[Block]
    claims_no_defects: typing.Optional[bool] = None  # None: says neither
    # The review line that says so (0: none).
    verdict_line: int = 0
    cwe_ids: typing.Tuple[str, ...] = ()
    errors: typing.List[str] = dataclasses.field(default_factory=list)
    # What unwrapping the answer did (read.answer): reasoning left out, a
    # JSON document or tables read.
    notes: typing.List[str] = dataclasses.field(default_factory=list)


# The message of an unparsed claim read in prose starts so (a sentence that
# asks for a change none of the rules could make).
PROSE_CLAIM = 'claim not turned into a change:'


# Where in a file a change applies (Target.scope).
WHOLE = ''          # the whole file
DEF = 'def'         # in def ``name``
CALLS = 'calls'     # in the calls of def ``name``
LINE = 'line'       # in the statement on line ``line`` of the test


@dataclasses.dataclass(frozen=True)
class Target:
    """Where a change applies: a file and a place in it.

    ``path``: '' for the test, else a nova file such as
    'nova/compute/manager.py'; ``scope``: WHOLE, DEF (def ``name``), CALLS
    (the calls of def ``name``) or LINE (line ``line`` of the test).
    ``str()`` gives the text form reports show ('test', 'f', 'call:f',
    'line:N', 'nova/x.py', 'nova/x.py:f'); :meth:`parse` reads it back.
    """
    path: str = ''
    scope: str = WHOLE
    name: str = ''
    line: int = 0

    @classmethod
    def parse(cls, text):
        """The Target a text form stands for ('' and 'test': the test)."""
        if isinstance(text, Target):
            return text
        text = text or 'test'
        if text == 'test':
            return cls()
        if text.startswith('call:'):
            return cls(scope=CALLS, name=text[len('call:'):])
        if text.startswith('line:') and text[len('line:'):].isdecimal():
            return cls(scope=LINE, line=int(text[len('line:'):]))
        if text.startswith('nova/'):
            path, _, name = text.partition(':')
            return cls(path=path, scope=DEF if name else WHOLE, name=name)
        return cls(scope=DEF, name=text)

    def __str__(self):
        if self.scope == CALLS:
            return 'call:' + self.name
        if self.scope == LINE:
            return 'line:%d' % self.line
        if self.path:
            return self.path + (':' + self.name if self.name else '')
        return self.name if self.scope == DEF else 'test'

    @property
    def in_nova(self):
        """Whether the change edits a nova file (the overlay)."""
        return bool(self.path)

    @property
    def def_name(self):
        """The def it is limited to, or None (the whole file)."""
        return self.name if self.scope == DEF and self.name else None


@dataclasses.dataclass
class Change:
    """A change a review asks for.  One subclass per kind (``kind``).

    ``span``: where in the review it came from; ``target``: where it
    applies (a :class:`Target`; its text form is accepted and read, see
    each kind); ``summary``: one line for reports.
    """
    span: Span
    target: Target = Target()
    summary: str = ''
    kind: typing.ClassVar[str] = ''

    def __post_init__(self):
        if not isinstance(self.target, Target):
            self.target = Target.parse(self.target)

    def fields(self):
        """The kind's own fields, ``{name: value}`` (for keys, reports)."""
        return {f.name: getattr(self, f.name)
                for f in dataclasses.fields(self)
                if f.name not in ('span', 'target', 'summary')}


@dataclasses.dataclass
class TestFull(Change):
    """A whole new version of the test file."""
    code: str = ''
    kind: typing.ClassVar[str] = TEST_FULL


@dataclasses.dataclass
class TestSnippet(Change):
    """Defs, classes or statements to anchor in the test by content.

    ``line``: the first line number of a numbered listing it came from;
    ``partial``: it restates another version of the test (its unchanged
    lines are a run of that version, not of this test), so the test's
    statements it does not mention stay where they are.
    """
    code: str = ''
    line: int = 0
    partial: bool = False
    kind: typing.ClassVar[str] = TEST_SNIPPET


@dataclasses.dataclass
class TestDiff(Change):
    """A unified diff against the test (``code``: the diff text)."""
    code: str = ''
    kind: typing.ClassVar[str] = TEST_DIFF


@dataclasses.dataclass
class NovaDiff(Change):
    """A unified diff against nova file ``target``."""
    code: str = ''
    kind: typing.ClassVar[str] = NOVA_DIFF


@dataclasses.dataclass
class LineChange(Change):
    """Line ``line`` of the test becomes ``code``.

    ``old``, when set, is what the review says the line reads now.
    """
    line: int = 0
    code: str = ''
    old: str = ''
    kind: typing.ClassVar[str] = LINE_CHANGE


@dataclasses.dataclass
class Rename(Change):
    """Rename identifier ``old`` to ``new`` consistently."""
    old: str = ''
    new: str = ''
    kind: typing.ClassVar[str] = RENAME


@dataclasses.dataclass
class Remove(Change):
    """Remove something from the test.

    ``line`` set and ``old`` empty: that line.  ``old`` a name: with
    ``unit`` '' the def, parameter, assignment or import of that name,
    with CALLS the statements calling it (in def ``target``), with
    KEYWORD the one statement that keyword begins (``return``, ``if``).
    ``old`` a statement: its one verbatim occurrence.
    """
    old: str = ''
    line: int = 0
    unit: str = ''
    kind: typing.ClassVar[str] = REMOVE


@dataclasses.dataclass
class Replace(Change):
    """Expression ``old`` becomes ``new``.

    In ``target``: 'test', a def, ``call:f`` (the calls of f), ``line:N``
    or ``nova/...py:f``.
    """
    old: str = ''
    new: str = ''
    kind: typing.ClassVar[str] = REPLACE


@dataclasses.dataclass
class Insert(Change):
    """Statements ``code`` to add to the test.

    They go ``where`` ('after' or 'before') the ``anchor`` (a statement of
    the test, or the name of a function whose call is the statement), or
    at the 'end' or 'start' of def ``target``.
    """
    code: str = ''
    anchor: str = ''
    where: str = 'after'
    kind: typing.ClassVar[str] = INSERT


CHANGE_TYPES = {cls.kind: cls for cls in (
    TestFull, TestSnippet, TestDiff, NovaDiff, LineChange, Rename, Remove,
    Replace, Insert)}


def change(kind, **fields):
    """A new change of ``kind`` (one of CHANGE_KINDS) with ``fields``."""
    try:
        cls = CHANGE_TYPES[kind]
    except KeyError:
        raise ValueError('unknown change kind %r' % (kind,))
    return cls(**fields)


@dataclasses.dataclass
class Anchor:
    """A comment of a review system (Gerrit, GitHub, SARIF) in a review.

    ``id``, ``path``, ``line``-``end_line`` (0: on the file) and
    ``author`` as the comment gives them; ``span``: the lines of the
    review's text its words were rendered into (a change or finding whose
    span lies inside came from this comment).
    """
    id: str
    path: str
    line: int
    end_line: int
    author: str
    span: Span

    def as_dict(self):
        return {'id': self.id, 'path': self.path, 'line': self.line,
                'end_line': self.end_line, 'author': self.author,
                'span': self.span.as_list()}


@dataclasses.dataclass
class Finding:
    kind: str
    message: str
    span: typing.Optional[Span] = None


@dataclasses.dataclass
class Applied:
    change: Change
    applied: bool
    reason: str = ''          # why not applied, or what was done


@dataclasses.dataclass
class ProposedVersion:
    """The canonical test (and nova) with a review's changes applied."""
    test_source: str
    nova_overlay: typing.Dict[str, str]   # nova relative path -> new source
    applied: typing.List[Applied]


# Verdicts (verdict.py says what each means and decides them).
BREAKS = 'breaks'
WEAKENS = 'weakens'
UNSAFE = 'unsafe'
OK = 'ok'
NO_FIX = 'no-fix'
UNVERIFIED = 'unverified'
FLAGGED_VERDICTS = frozenset((BREAKS, WEAKENS, UNSAFE))


@dataclasses.dataclass
class ChangeReport:
    """What became of one change: applied or why not, and its runs."""

    change: Change
    applied: bool
    reason: str
    version_key: typing.Optional[str] = None
    outcomes: typing.Dict[str, results.RunResult] = dataclasses.field(
        default_factory=dict)


@dataclasses.dataclass
class ReviewReport:
    """Everything the meta-check found out about one review."""

    path: str
    verdict: str = NO_FIX
    reason: str = ''
    claims_no_defects: typing.Optional[bool] = None
    cwe_ids: typing.Tuple[str, ...] = ()
    changes: typing.List[ChangeReport] = dataclasses.field(
        default_factory=list)
    findings: typing.List[Finding] = dataclasses.field(
        default_factory=list)
    proposed_key: typing.Optional[str] = None
    # The version of the test the review was written against, and why
    # (see versions.identify): its changes are made there and ported.
    reviewed_version: str = 'ours'
    reviewed_why: str = ''
    # What unwrapping the answer did (read.answer).
    read_notes: typing.List[str] = dataclasses.field(default_factory=list)
    # The comments of a review read from a review system (read.systems),
    # one Anchor each; empty for free text.
    comments: typing.List[Anchor] = dataclasses.field(default_factory=list)
    proposed: typing.Dict[str, results.RunResult] = dataclasses.field(
        default_factory=dict)
    # Versions this review needs run: {key: Version}
    versions: typing.Dict[str, results.Version] = dataclasses.field(
        default_factory=dict)
    # The tool itself failed on this review (a bug, reported): the
    # command then exits 2, so that no such failure reads as a pass.
    internal_error: bool = False

    @property
    def flagged(self):
        return self.verdict in FLAGGED_VERDICTS

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


"""Claims of anchored comments (Gerrit, GitHub, SARIF; see read.systems).

A comment is anchored to a file, a line range and the revision it was
made on.  What it proposes is judged there and carried onto ours:

* a replacement (a Gerrit fix suggestion, a GitHub suggested change, a
  SARIF fix) on the regression test is made to the commented revision's
  lines; the lines it changes are found in ours by sequence alignment of
  that revision's lines with ours (by text, or by the line fingerprints
  of the upstream versions whose text this tool does not ship), and the
  same change becomes a unified diff of ours.  Lines with no counterpart
  in ours, or a revision that cannot be told, make the comment
  ``unverified`` with the reason, never a guess;
* a replacement on a nova source file becomes a diff of the installed
  nova file (the overlay);
* a comment's words are a small review of their own, read like any
  other (``Line N: ...`` as a Gerrit reviewer writes it), with the
  revision's commit named when it is a known one, so that its line
  numbers are read as that version numbers them;
* a comment on any other file is not applicable, and said so.

:func:`read` returns the text the words were rendered into (the review's
text for every later stage), the changes the replacements make, findings
and notes, and one :class:`model.Anchor` per comment, whose span is the
comment's lines in that text (reports place a flagged claim at its
comment with it).
"""

import dataclasses
import difflib
import posixpath
import typing

from nova_resize_checks.review.edits import common
from nova_resize_checks.review.edits import hunks
from nova_resize_checks.review import model
from nova_resize_checks.review.read import systems
from nova_resize_checks.review.versions import known_versions
from nova_resize_checks.review.versions import quotes

OURS = 'ours'
UPSTREAM = 'upstream-current'
REVIEWED = 'reviewed'
# Our test's path in this repository: a comment there was made on ours.
OUR_PATH = 'tests/functional/' + common.TEST_BASENAME
# How alike a replacement must be to the lines it replaces for a comment
# on an unnamed revision to be located in a version this tool has the
# text of (difflib ratio over the whitespace-collapsed lines).
LOCATE_RATIO = 0.5
# The one nova file a comment can change: where finish_resize's failure
# handling lives.  A comment on any other file is not applicable.
NOVA_FILE = 'nova/compute/manager.py'


@dataclasses.dataclass
class Read:
    text: str
    changes: typing.List[model.Change]
    findings: typing.List[model.Finding]
    notes: typing.List[str]
    anchors: typing.List[model.Anchor]
    # The revision every test change was made against (for the verdict's
    # "reviewed" line): one name, or a list of them.
    revisions: typing.List[str]


class NotLocated(ValueError):
    """A comment's lines cannot be found in ours; the message says why."""


def _clean(path):
    """A comment's path as a relative posix path (URIs and a/ b/ too)."""
    clean = path.replace('\\', '/')
    if '://' in clean:
        clean = clean.split('://', 1)[1]
        clean = clean[clean.find('/'):] if '/' in clean else clean
    return clean.lstrip('./')


def _nova_path(clean):
    """'nova/...py' of a nova source file named in ``clean``, or None.

    The last 'nova' directory counts ('src/nova/nova/compute/x.py').
    """
    parts = clean.split('/')
    for index in range(len(parts) - 2, -1, -1):
        if parts[index] == 'nova':
            rel = hunks.nova_relpath('/'.join(parts[index:]))
            if rel and not rel.startswith('nova/tests/'):
                return rel
            return None
    return None


def _target(path):
    """'test', NOVA_FILE, or None (not applicable)."""
    clean = _clean(path)
    if posixpath.basename(clean) == common.TEST_BASENAME:
        return 'test'
    return NOVA_FILE if _nova_path(clean) == NOVA_FILE else None


def _is_upstream_path(path):
    clean = '/' + _clean(path)
    return '/nova/tests/' in clean or '/regressions/' in clean


def revision_of(comment, references):
    """The version of the test a comment on the test was made on, or None.

    Ours when it names our path; an upstream version whose commit it
    names; the ``--reviewed`` file when the user gave one; else unknown.
    """
    if not _is_upstream_path(comment.path):
        return OURS
    named = quotes.named_version(comment.revision.lower())
    if named:
        return named
    if references.get('reviewed'):
        return REVIEWED
    return None


def _digest(line):
    return quotes.line_digest(' '.join(quotes.port_dialect(line).split()))


def _line_map(theirs, ours):
    """{line of theirs: line of ours} (1-based) where the two align."""
    matcher = difflib.SequenceMatcher(None, theirs, ours, autojunk=False)
    found = {}
    for a, b, size in matcher.get_matching_blocks():
        for k in range(size):
            found[a + k + 1] = b + k + 1
    return found


def _texts(references):
    return {OURS: references.get('test') or '',
            UPSTREAM: references.get('upstream') or '',
            REVIEWED: references.get('reviewed') or ''}


def _edits_with_text(before, comment):
    """[(first, last, new lines)] of the revision ``before`` (1-based)."""
    try:
        after = systems.apply(before, comment.replacements)
    except ValueError as exc:
        raise NotLocated('its replacement does not fit the revision: %s'
                         % exc)
    old, new = before.splitlines(True), after.splitlines(True)
    edits = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != 'equal':
            edits.append((i1 + 1, i2, new[j1:j2]))
    return edits


def _edits_whole_lines(comment, version, known):
    """Edits of a version whose text is not shipped, as whole lines.

    ``known``: {line of the version: its text}, for the lines whose
    counterpart in ours is the same line.  A replacement that starts or
    ends inside a line needs that line's text: the part of it kept is
    taken from ``known``, or the comment cannot be located.
    """
    lengths = known_versions.LINE_LENGTHS.get(version, ())
    edits = []
    for rep in comment.replacements:
        prefix = suffix = ''
        if not rep.whole_lines:
            if rep.start_char:
                if rep.start_line not in known:
                    raise NotLocated(_part_of_line(version, rep.start_line))
                prefix = known[rep.start_line][:rep.start_char]
            last = known.get(rep.end_line)
            ends_line = rep.end_char is None or (
                rep.end_line <= len(lengths) and
                rep.end_char >= lengths[rep.end_line - 1])
            if last is not None and not ends_line:
                suffix = last[rep.end_char:]
            elif not ends_line:
                raise NotLocated(_part_of_line(version, rep.end_line))
        text = prefix + rep.text + suffix
        if text and not text.endswith('\n'):
            text += '\n'
        edits.append((rep.start_line, rep.end_line,
                      text.splitlines(True)))
    return edits


def _part_of_line(version, number):
    return ('it replaces part of line %d of the %s version, whose text '
            'this tool does not ship and ours does not hold; give that '
            'file with --reviewed' % (number, version))


def _alike(before, comment):
    """Whether the replaced lines of ``before`` look like the new text."""
    lines = before.splitlines()
    old, new = [], []
    for rep in comment.replacements:
        if not 1 <= rep.start_line <= rep.end_line <= len(lines):
            return False
        old.extend(lines[rep.start_line - 1:rep.end_line])
        new.extend(rep.text.splitlines())
    squash = ' '.join
    return difflib.SequenceMatcher(
        None, squash(' '.join(old).split()),
        squash(' '.join(new).split())).ratio() >= LOCATE_RATIO


def _locate(comment, references):
    """(version name, edits of that version) for a test comment."""
    version = revision_of(comment, references)
    texts = _texts(references)
    if version is None and comment.original:
        found = _by_original(comment, texts)
        if found is not None:
            return found
    if version is None:
        # No commit, no --reviewed: upstream's installed copy, if the
        # replaced lines there look like what replaces them.
        if texts[UPSTREAM] and _alike(texts[UPSTREAM], comment):
            version = UPSTREAM
        else:
            raise NotLocated(
                'the revision it was made on is not known (no commit this '
                'tool knows, no --reviewed) and its lines %d-%d cannot be '
                'located' % (comment.line, comment.end_line))
    if texts.get(version):
        return version, _edits_with_text(texts[version], comment)
    ours = texts[OURS].splitlines()
    known = {theirs: ours[mine - 1] for theirs, mine in
             _mapping(version, references).items()}
    return version, _edits_whole_lines(comment, version, known)


def _statements(lines):
    """The logical statements of ``lines`` (comments and layout go)."""
    return set(quotes.comparable_lines(''.join(lines)))


def _already_there(mapping, first, last, new, ours):
    """Whether ours already is what lines first-last become.

    Ours, between the counterparts of the lines around the replaced ones,
    holds every statement of the replacement, and the replacement keeps
    every statement of ours that the replaced lines hold: the comment
    asks for what ours already is (upstream's fix proposed on the
    recreate version, say), and drops nothing of ours.
    """
    before = max((m for n, m in mapping.items() if n < first), default=0)
    after = min((m for n, m in mapping.items() if n > last),
                default=len(ours) + 1)
    wanted = _statements(quotes.port_dialect(line) for line in new)
    covered = _statements(ours[mapping[n] - 1]
                          for n in range(first, last + 1) if n in mapping)
    return bool(wanted) and wanted <= _statements(
        ours[before:after - 1]) and covered <= wanted


def _mapping(version, references):
    """{line of ``version``: line of ours} where the two align."""
    ours = (references.get('test') or '').splitlines()
    if version == OURS:
        return {n: n for n in range(1, len(ours) + 1)}
    text = _texts(references).get(version)
    theirs = [_digest(line) for line in text.splitlines()] if text \
        else list(known_versions.PORTED_LINE_DIGESTS.get(version, ()))
    return _line_map(theirs, [_digest(line) for line in ours])


def _by_original(comment, texts):
    """(version, edits) where the comment's original lines are, or None.

    The lines the format says the region held are looked for in ours,
    then in the other versions whose text is here; found once, the
    comment's replacements move with them.
    """
    want = [' '.join(line.split()) for line in
            comment.original.splitlines()]
    if not any(want):
        return None
    for version in (OURS, REVIEWED, UPSTREAM):
        lines = [' '.join(line.split()) for line in
                 texts[version].splitlines()]
        starts = [i + 1 for i in range(len(lines) - len(want) + 1)
                  if lines[i:i + len(want)] == want]
        if len(starts) != 1:
            continue
        shift = starts[0] - comment.line
        moved = dataclasses.replace(comment, replacements=[
            dataclasses.replace(rep, start_line=rep.start_line + shift,
                                end_line=rep.end_line + shift)
            for rep in comment.replacements])
        return version, _edits_with_text(texts[version], moved)
    return None


def _onto_ours(version, edits, references):
    """Our lines with ``edits`` (of ``version``'s lines) carried over."""
    ours = (references.get('test') or '').splitlines(True)
    mapping = _mapping(version, references)
    placed = []
    for first, last, new in edits:
        if last >= first:
            mine = [mapping.get(n) for n in range(first, last + 1)]
            if None in mine or mine != list(range(mine[0],
                                                  mine[0] + len(mine))):
                if _already_there(mapping, first, last, new, ours):
                    continue
                raise NotLocated(
                    'lines %d-%d of the %s version have no counterpart in '
                    'ours' % (first, last, version))
            start, end = mine[0], mine[-1]
        elif first - 1 in mapping:
            start = mapping[first - 1] + 1
            end = start - 1
        elif first in mapping:
            start, end = mapping[first], mapping[first] - 1
        else:
            raise NotLocated('the place of its insertion at line %d of the '
                             '%s version has no counterpart in ours'
                             % (first, version))
        ported = [quotes.port_dialect(line) for line in new]
        placed.append((start, end, ported))
    result = list(ours)
    for start, end, new in sorted(placed, reverse=True):
        result[start - 1:end] = new
    return ''.join(ours), ''.join(result)


def _diff(path, before, after):
    return ''.join(difflib.unified_diff(
        before.splitlines(True), after.splitlines(True),
        'a/' + path, 'b/' + path))


def _nova_change(comment, rel, nova_reader, span):
    try:
        before = nova_reader(rel)
    except (OSError, ValueError) as exc:
        raise NotLocated('nova file %s cannot be read: %s' % (rel, exc))
    try:
        after = systems.apply(before, comment.replacements)
    except ValueError as exc:
        raise NotLocated('its replacement does not fit %s as installed: %s'
                         % (rel, exc))
    return model.NovaDiff(span=span, target=rel, code=_diff(
        rel, before, after), summary='comment %s: replace %s lines %d-%d'
        % (comment.id, rel, comment.line, comment.end_line)) \
        if after != before else None


def _test_change(comment, references, span):
    version, edits = _locate(comment, references)
    before, after = _onto_ours(version, edits, references)
    if before == after:
        # Carried onto ours, it asks for what ours already is: a claim
        # that holds (the canonical test), not an absent one.
        return model.TestFull(span=span, target='test', code=before,
                              summary='comment %s: lines %d-%d of the %s '
                              'version, carried onto ours, change nothing'
                              % (comment.id, comment.line, comment.end_line,
                                 version)), version
    return model.TestDiff(span=span, target='test', code=_diff(
        OUR_PATH, before, after), summary='comment %s: replace lines %d-%d '
        'of the %s version' % (comment.id, comment.line, comment.end_line,
                               version)), version


def _suggestion(comment, target, references, nova_reader, where, notes):
    """((change, version) or None, problem or None) of its replacements.

    A change whose code is empty changed nothing in ours (said in
    ``notes``); None with a problem: its replacements cannot be made.
    """
    if not comment.replacements:
        return None, None
    span = model.Span(0, 0)
    try:
        if target == 'test':
            change, version = _test_change(comment, references, span)
        else:
            change, version = _nova_change(comment, target, nova_reader,
                                           span), None
    except NotLocated as exc:
        return None, ('comment %s: its suggested change cannot be made: %s'
                      % (where, exc))
    if change is None:
        notes.append('comment %s: its suggestion changes nothing in %s'
                     % (where, target))
        return None, None
    if change.kind == model.TEST_FULL:
        notes.append('comment %s: its suggestion changes nothing in ours'
                     % where)
    return (change, version), None


def _nova_section(comment, rel):
    """The words of a comment on nova file ``rel``, naming the file.

    No line number: "Line N" would be read as a line of the test.
    """
    message = comment.message.strip()
    if not message:
        return []
    return ['----', '', 'In `%s`: %s' % (rel, message.split('\n')[0])] + \
        message.split('\n')[1:] + ['']


def _section(comment, version):
    """The markdown a comment's words are read from."""
    # A rule, not a heading: ids and author names are not review text.
    lines = ['----', '']
    commit = known_versions.COMMITS.get(version)
    if commit:
        lines += ['Reviewed at %s.' % commit[:10], '']
    message = comment.message.strip()
    if message:
        if comment.line and not message.lower().startswith('line'):
            message = 'Line %d: %s' % (comment.line, message)
        lines += message.split('\n') + ['']
    return lines


def read(fmt, doc, references, nova_reader):
    """A :class:`Read` of a document :func:`systems.sniff` recognised."""
    comments = systems.read(fmt, doc)
    text, changes, findings, notes, anchors, revisions = \
        [], [], [], [], [], []
    for comment in comments:
        target = _target(comment.path)
        start = len(text) + 1
        where = '%s %s' % (comment.id, comment.path)
        for other in comment.elsewhere:
            notes.append('comment %s: a replacement for %s is not read '
                         '(a replacement applies to its own file only)'
                         % (where, other))
        if target is None:
            notes.append('comment %s: not applicable (neither the '
                         'regression test nor nova source)' % where)
            continue
        # Its words are read only when it suggests nothing that could be
        # made: a suggestion is the exact change its words describe.
        made, problem = _suggestion(comment, target, references,
                                    nova_reader, where, notes)
        if made is None and target == 'test':
            text += _section(comment, revision_of(comment, references))
        elif made is None:
            text += _nova_section(comment, target)
        span = model.Span(start, max(start, len(text)))
        anchors.append(model.Anchor(comment.id, comment.path, comment.line,
                                    comment.end_line, comment.author, span))
        if problem:
            findings.append(model.Finding(model.UNPARSED_CLAIM, problem,
                                          span))
        if made is not None:
            change, version = made
            change.span = span
            if version and version not in revisions:
                revisions.append(version)
            changes.append(change)
    return Read('\n'.join(text) + '\n', changes, findings, notes, anchors,
                revisions)

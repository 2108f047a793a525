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


"""Reviews as review systems deliver them: anchored comments.

Three formats, recognised by content (whatever the file is called):

* Gerrit's comment JSON, the map from file path to CommentInfo that
  ``GET /changes/{id}/revisions/{rev}/comments`` returns (and
  ``.../robotcomments``, whose RobotCommentInfo adds ``robot_id`` and
  ``fix_suggestions``), with or without Gerrit's ``)]}'`` prefix line;
* GitHub's pull-request review comments, a list of objects with
  ``path``, ``line``/``start_line``, ``body``, whose fenced
  ``suggestion`` blocks replace the commented lines;
* SARIF 2.1.0 logs: ``runs[].results[]`` with ``locations`` and
  ``fixes[].artifactChanges[].replacements``.

Each becomes a list of :class:`Comment`: one file, a line range, the
revision it was made on (a commit id, when the format names one), a
message, and the replacements it proposes, each a :class:`Replacement`
of a region of that revision's text.  Nothing here decides what a
comment means for the test: :mod:`review.claims.anchored` does.
"""

import dataclasses
import json
import re
import typing

from nova_resize_checks import inputs
from nova_resize_checks.report import safe
from nova_resize_checks.review.read import container

GERRIT = 'gerrit'
GITHUB = 'github'
SARIF = 'sarif'

_GERRIT_PREFIX = ")]}'"
# A fence line: its marker, and its info string.
_FENCE = re.compile(r'[ \t]*(`{3,}|~{3,})[ \t]*([^\n]*)')
MAX_COMMENTS = 500
# Replacements in one document: each is a pass over the file's text.
MAX_REPLACEMENTS = 500


@dataclasses.dataclass
class Replacement:
    """A region of the commented revision and its new text.

    Lines are 1-based.  ``start_char``/``end_char`` are 0-based offsets in
    their lines; None means whole lines: lines ``start_line`` to
    ``end_line`` (newlines included) become ``text``.
    """
    start_line: int
    end_line: int
    text: str
    start_char: typing.Optional[int] = None
    end_char: typing.Optional[int] = None

    @property
    def whole_lines(self):
        return self.start_char is None


@dataclasses.dataclass
class Comment:
    """One anchored comment or result."""
    id: str
    path: str
    line: int = 0             # 0: on the file, not a line
    end_line: int = 0
    message: str = ''
    author: str = ''
    revision: str = ''        # the commit it was made on, when named
    replacements: typing.List[Replacement] = dataclasses.field(
        default_factory=list)
    # Replacements whose region is in another file than ``path``.
    elsewhere: typing.List[str] = dataclasses.field(default_factory=list)
    # What lines ``line``-``end_line`` read on the revision commented,
    # when the format carries it (SARIF's region snippet, the end of
    # GitHub's diff hunk): they locate a comment on an unknown revision.
    original: str = ''


class Unreadable(ValueError):
    """The document is of a known format but cannot be read."""


def _document(text):
    stripped = text.lstrip('\ufeff \t\r\n')
    if stripped.startswith(_GERRIT_PREFIX):
        stripped = stripped[len(_GERRIT_PREFIX):]
    if not stripped.lstrip().startswith(('{', '[')):
        return None
    try:
        return json.loads(stripped)
    except (ValueError, RecursionError):
        return None


def _is_sarif(doc):
    return isinstance(doc, dict) and isinstance(doc.get('runs'), list) and (
        str(doc.get('version', '')).startswith('2.') or
        'sarif' in str(doc.get('$schema', '')).lower())


def _is_github(doc):
    return isinstance(doc, list) and bool(doc) and all(
        isinstance(item, dict) and isinstance(item.get('path'), str) and
        isinstance(item.get('body'), str) for item in doc)


def _is_gerrit(doc):
    return isinstance(doc, dict) and bool(doc) and all(
        isinstance(path, str) and isinstance(items, list) and all(
            isinstance(item, dict) and 'message' in item for item in items)
        for path, items in doc.items())


def sniff(text):
    """(format, document) when ``text`` is one of the formats, else None."""
    doc = _document(text)
    if doc is None:
        return None
    for name, test in ((SARIF, _is_sarif), (GITHUB, _is_github),
                       (GERRIT, _is_gerrit)):
        if test(doc):
            return name, doc
    return None


def _int(value, default=0):
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdecimal():
        return int(value)
    return default


def _text(value):
    return value if isinstance(value, str) else ''


def _gerrit_replacement(item):
    rng = item.get('range') if isinstance(item.get('range'), dict) else {}
    start, end = _int(rng.get('start_line')), _int(rng.get('end_line'))
    if start < 1 or end < start:
        return None
    col, end_col = _int(rng.get('start_character')), _int(
        rng.get('end_character'))
    text = _text(item.get('replacement'))
    if col == 0 and end_col == 0 and end > start:
        # From the start of a line to the start of a later one: whole
        # lines, the usual shape of a fix suggestion.
        return Replacement(start, end - 1, text)
    return Replacement(start, end, text, col, end_col)


def _gerrit(doc):
    found = []
    for path, items in doc.items():
        if path.startswith('/'):
            # /COMMIT_MSG, /PATCHSET_LEVEL: not a file of the change.
            continue
        for item in items:
            comment = _gerrit_comment(path, item, len(found) + 1)
            _gerrit_fixes(comment, item)
            found.append(comment)
    return found


def _gerrit_comment(path, item, number):
    """The :class:`Comment` of one CommentInfo, without its fixes."""
    rng = _dict(item.get('range'))
    line = _int(rng.get('start_line')) or _int(item.get('line'))
    end = _int(rng.get('end_line')) or line
    author = _dict(item.get('author'))
    return Comment(
        id=_text(item.get('id')) or '%s:%d' % (path, number),
        path=path, line=line, end_line=max(end, line),
        message=_text(item.get('message')),
        author=_text(author.get('name')) or _text(
            author.get('email')) or _text(item.get('robot_id')),
        revision=_text(item.get('commit_id')))


def _gerrit_fixes(comment, item):
    """A RobotCommentInfo's fix suggestions, onto ``comment``."""
    fixes = item.get('fix_suggestions')
    if _text(item.get('side')).upper() == 'PARENT' and fixes:
        # Made on the change's parent, not on the revision.
        comment.elsewhere.append('the parent revision')
        fixes = []
    for fix in _list(fixes):
        if not isinstance(fix, dict):
            continue
        if _text(fix.get('description')):
            comment.message += '\n\n' + fix['description']
        for rep in _list(fix.get('replacements')):
            if isinstance(rep, dict):
                _gerrit_fix(comment, rep)


def _gerrit_fix(comment, rep):
    """One FixReplacementInfo: a replacement, or a note of where it is."""
    made = _gerrit_replacement(rep)
    where = _text(rep.get('path')) or comment.path
    if made is None:
        comment.elsewhere.append('a replacement without a usable range')
    elif where != comment.path:
        comment.elsewhere.append(where)
    else:
        comment.replacements.append(made)


def _suggestions(body):
    """(the body without its suggestion blocks, [their texts]).

    Fences are read line by line, in one pass: a suggestion block runs
    from a fence whose info string is ``suggestion`` to the next fence
    line of the same marker; one left open takes the rest of the body.
    """
    kept, blocks, current, marker = [], [], None, None
    for line in body.split('\n'):
        fence = _FENCE.fullmatch(line)
        if current is not None:
            if fence and fence.group(1) == marker and not fence.group(2):
                blocks.append(''.join(current))
                current = None
            else:
                current.append(line + '\n')
        elif fence and fence.group(2).strip().split(' ')[0] == 'suggestion':
            current, marker = [], fence.group(1)
        else:
            kept.append(line)
    if current is not None:
        blocks.append(''.join(current))
    return '\n'.join(kept), blocks


def _github(doc):
    found = []
    for item in doc:
        line = _int(item.get('line')) or _int(item.get('original_line'))
        start = _int(item.get('start_line')) or _int(
            item.get('original_start_line')) or line
        body, blocks = _suggestions(_text(item.get('body')))
        user = item.get('user') if isinstance(item.get('user'), dict) else {}
        comment = Comment(
            id=str(item.get('id') or len(found) + 1), path=item['path'],
            line=start, end_line=max(line, start),
            message=body.strip(),
            author=_text(user.get('login')),
            revision=_text(item.get('commit_id')) or _text(
                item.get('original_commit_id')))
        side = _text(item.get('side')).upper()
        comment.original = _hunk_tail(_text(item.get('diff_hunk')),
                                      comment.end_line - comment.line + 1)
        for block in blocks:
            if side == 'LEFT':
                comment.elsewhere.append('a suggestion on the old side of '
                                         'the diff')
            elif start >= 1:
                comment.replacements.append(
                    Replacement(start, max(line, start), block))
        found.append(comment)
    return found


def _hunk_tail(hunk, count):
    """The last ``count`` lines of a diff hunk's new side ('' if none)."""
    lines = [line[1:] for line in hunk.splitlines()[1:]
             if line[:1] in (' ', '+')]
    if count < 1 or len(lines) < count:
        return ''
    return '\n'.join(lines[-count:]) + '\n'


def _sarif_region(region):
    start = _int(region.get('startLine'))
    if start < 1:
        return None
    end = _int(region.get('endLine')) or start
    col, end_col = _int(region.get('startColumn')), _int(
        region.get('endColumn'))
    if not col and not end_col:
        return start, end, None, None
    return start, end, max(col, 1) - 1, (end_col - 1 if end_col else None)


def _dict(value):
    return value if isinstance(value, dict) else {}


def _list(value):
    return value if isinstance(value, list) else []


def _sarif_uri(location):
    physical = _dict(_dict(location).get('physicalLocation'))
    return (_text(_dict(physical.get('artifactLocation')).get('uri')),
            _dict(physical.get('region')))


def _sarif_fixes(result, comment):
    for fix in _list(result.get('fixes')):
        for change in _list(_dict(fix).get('artifactChanges')):
            change = _dict(change)
            uri = _text(_dict(change.get('artifactLocation')).get('uri'))
            for rep in _list(change.get('replacements')):
                rep = _dict(rep)
                region = _sarif_region(_dict(rep.get('deletedRegion')))
                text = _text(_dict(rep.get('insertedContent')).get('text'))
                if region is None:
                    comment.elsewhere.append('a replacement without a '
                                             'usable region')
                elif uri and uri != comment.path:
                    comment.elsewhere.append(uri)
                else:
                    start, end, col, end_col = region
                    if col is None and text and not text.endswith('\n'):
                        text += '\n'
                    comment.replacements.append(
                        Replacement(start, end, text, col, end_col))


def _sarif(doc):
    found = []
    for run in _list(doc.get('runs')):
        run = _dict(run)
        revision = ''
        for vcs in _list(run.get('versionControlProvenance')):
            if _text(_dict(vcs).get('revisionId')):
                revision = vcs['revisionId']
        tool = _text(_dict(_dict(run.get('tool')).get('driver')).get('name'))
        for result in _list(run.get('results')):
            if not isinstance(result, dict):
                continue
            locations = _list(result.get('locations')) or [{}]
            path, region = _sarif_uri(locations[0])
            span = _sarif_region(region) or (0, 0, None, None)
            message = _dict(result.get('message'))
            comment = Comment(
                id=_text(result.get('guid')) or '%s#%d' % (
                    _text(result.get('ruleId')) or 'result', len(found) + 1),
                path=path, line=span[0], end_line=span[1],
                message=_text(message.get('markdown')) or _text(
                    message.get('text')),
                author=tool, revision=revision)
            snippet = region.get('snippet')
            if isinstance(snippet, dict) and span[2] is None:
                comment.original = _text(snippet.get('text'))
            _sarif_fixes(result, comment)
            found.append(comment)
    return found


READERS = {GERRIT: _gerrit, GITHUB: _github, SARIF: _sarif}


def read(fmt, doc):
    """The comments of a document :func:`sniff` recognised, in order."""
    comments = READERS[fmt](doc)
    if len(comments) > MAX_COMMENTS:
        raise Unreadable('%d comments; a review may hold at most %d'
                         % (len(comments), MAX_COMMENTS))
    replacements = sum(len(c.replacements) for c in comments)
    if replacements > MAX_REPLACEMENTS:
        raise Unreadable('%d replacements; a review may hold at most %d'
                         % (replacements, MAX_REPLACEMENTS))
    return comments


def authors(fmt, doc):
    """The comments' authors, in order of first appearance."""
    seen = []
    for comment in READERS[fmt](doc):
        if comment.author not in seen:
            seen.append(comment.author)
    return seen


def only_author(fmt, doc, author):
    """``doc`` with only ``author``'s comments (same format)."""
    if fmt == GITHUB:
        return [item for item, comment in zip(doc, _github(doc))
                if comment.author == author]
    if fmt == GERRIT:
        kept = {}
        for path, items in doc.items():
            keep = [item for item in items
                    if [c.author for c in _gerrit({path: [item]})] in (
                        [author], [])]
            if keep:
                kept[path] = keep
        return kept
    runs = []
    for run in _list(doc.get('runs')):
        if not isinstance(run, dict):
            continue
        single = dict(run, results=[])
        for result in _list(run.get('results')):
            got = _sarif({'runs': [dict(run, results=[result])]})
            if got and got[0].author == author:
                single['results'].append(result)
        runs.append(single)
    return dict(doc, runs=runs)


def apply(text, replacements):
    """``text`` with ``replacements`` made (last region first).

    Raises ValueError when a region is outside the text or two overlap.
    """
    lines = text.splitlines(True)
    if lines and not lines[-1].endswith('\n'):
        lines[-1] += '\n'
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    joined = ''.join(lines)

    def offset(number, char, end):
        if not 1 <= number <= len(lines):
            raise ValueError('line %d is outside the file (%d lines)'
                             % (number, len(lines)))
        if char is None:
            return starts[number] if end else starts[number - 1]
        width = len(lines[number - 1].rstrip('\n'))
        if char > width:
            raise ValueError('column %d is past the end of line %d'
                             % (char + 1, number))
        return starts[number - 1] + char

    regions = []
    for rep in replacements:
        start = offset(rep.start_line, rep.start_char, False)
        end = offset(rep.end_line, rep.end_char if not rep.whole_lines
                     else None, True)
        if rep.end_char is None and not rep.whole_lines:
            end = starts[rep.end_line] - 1
        if end < start:
            raise ValueError('the region ends before it starts (line %d)'
                             % rep.start_line)
        regions.append((start, end, rep.text))
    regions.sort()
    for (_s, end, _t), (start, _e, _u) in zip(regions, regions[1:]):
        if start < end:
            raise ValueError('two replacements overlap')
    for start, end, new in reversed(regions):
        joined = joined[:start] + new + joined[end:]
    return joined


def by_author(reviews):
    """``reviews`` with each review system's file split by author.

    A file of Gerrit, GitHub or SARIF comments becomes one review per
    author, shown as ``FILE@AUTHOR``; other reviews stay as they are.
    """
    split = []
    for review in reviews:
        text, _errors = container.decode_bytes(review.data)
        found = sniff(text)
        try:
            names = authors(*found) if found else [None]
            parts = [(author, json.dumps(only_author(
                found[0], found[1], author)).encode('utf-8'))
                for author in names] if found else []
        except Exception:
            # Read as it is: prepare says what is wrong with it.
            parts = []
        if not parts:
            split.append(review)
        labels = set()
        for author, data in parts:
            label = _author_label(author, labels)
            split.append(inputs.Review('%s@%s' % (review.path, label), data))
    return split


def _author_label(author, taken):
    """How ``author`` is shown after ``@``: one label per author.

    A comment with no author (or an empty one) is ``(no author)``; a name
    is escaped as a path is (:func:`report.safe.path`, injective:
    ``x<newline>`` and ``x\\n`` differ); a label already taken in the
    same file gets ``#2``, ``#3``... (round 10: two authors must never
    share a review's name and id).
    """
    if author is None or not str(author).strip():
        label = '(no author)'
    else:
        label = safe.path(str(author))
    unique, number = label, 1
    while unique in taken:
        number += 1
        unique = '%s#%d' % (label, number)
    taken.add(unique)
    return unique

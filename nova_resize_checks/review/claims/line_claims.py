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


"""Quoted numbered lines, and "line N" references, that match that line
of none of the reference sources (:data:`~model.LINE_MISMATCH`).
"""

import re

from nova_resize_checks.review import model
from nova_resize_checks.review.read import prose
from nova_resize_checks.review.versions import known_versions
from nova_resize_checks.review.versions import quotes

# "In line 13, the import of `x` ..." / "Line 13 imports `x`".
_LEADING_LINE_RE = re.compile(
    r'[\W\d]*(?:[A-Z][\w ]{0,40}:\s+)?(?:(?:in|on|at)\s+)?line\s+'
    r'(\d{1,6})\b', re.I)
_MAX_REPORTED = 8


def _norm_line(text):
    return ' '.join(text.split())


def _line_matches(text, lines, number):
    if number < 1 or number > len(lines):
        return False
    want = _norm_line(text)
    have = _norm_line(lines[number - 1])
    if want == have:
        return True
    # Reviews often glue a ':' or a closing quote onto a quoted line.
    trimmed = want.rstrip(':"\'`').rstrip()
    return bool(trimmed) and trimmed in (have, have.rstrip(':'))


def _known_line(text, number):
    """Whether line ``number`` of a known upstream version is ``text``."""
    want = _norm_line(text)
    candidates = {want, want.rstrip(':"\'`').rstrip()}
    digests = {quotes.line_digest(c) for c in candidates if c}
    return any(1 <= number <= len(lines) and lines[number - 1] in digests
               for lines in known_versions.LINE_DIGESTS.values())


def _mismatch_finding(bad, span):
    detail = '; '.join('line %d is not `%s`' % (n, t.strip()[:60])
                       for n, t in bad[:3])
    more = ' (+%d more)' % (len(bad) - 3) if len(bad) > 3 else ''
    numbers = ', '.join(str(n) for n, _ in bad[:_MAX_REPORTED])
    if len(bad) > _MAX_REPORTED:
        numbers += ', ...'
    return model.Finding(
        model.LINE_MISMATCH,
        '%d quoted line(s) (%s) match that line of no reference source: '
        '%s%s' % (len(bad), numbers, detail, more), span)


def line_mismatches(parsed, sentences, changes, refs):
    """Line numbers a review gives that no version it may have read has.

    Three sources: numbered listings that quote code, "change line N"
    claims and sentences opening with "Line N".
    """
    if not refs.lines:
        return []
    # Quoted lines are judged against the version the user says was
    # reviewed (--reviewed) alone; without one, against every version
    # this tool knows.
    quoted = ({'reviewed': refs.lines['reviewed']}
              if 'reviewed' in refs.lines else refs.lines)
    known = (lambda text, number: False) if 'reviewed' in refs.lines \
        else _known_line
    return (_listing_mismatches(parsed, changes, quoted, known) +
            _line_change_mismatches(changes, quoted) +
            _sentence_mismatches(sentences, quoted))


def _listing_mismatches(parsed, changes, quoted, known):
    """Numbered listings (not proposals) whose lines are nowhere there."""
    findings = []
    # Review lines holding a proposal (those listings are not quotes).
    proposed = set()
    for span in {c.span for c in changes
                 if c.kind not in (model.RENAME, model.REMOVE)}:
        proposed.update(range(span.start, span.end + 1))
    inline_bad = []
    inline_spans = []
    for block in parsed.blocks:
        if block.kind != 'listing' or not block.numbers or any(
                n in proposed
                for n in range(block.span.start, block.span.end + 1)):
            continue
        bad = [(number, text) for number, text in zip(
            block.numbers, block.text.split('\n')) if text.strip() and
            not any(_line_matches(text, lines, number)
                    for lines in quoted.values()) and
            not known(text, number)]
        if not bad:
            continue
        if block.info == 'inline':
            # Line-by-line descriptions: one finding for all of them.
            inline_bad.extend(bad)
            inline_spans.append(block.span)
            continue
        findings.append(_mismatch_finding(bad, block.span))
    if inline_bad:
        findings.append(_mismatch_finding(
            inline_bad, model.Span(inline_spans[0].start,
                                   inline_spans[-1].end)))
    return findings


def _line_change_mismatches(changes, quoted):
    """"Change line N" claims whose line no version has (as quoted)."""
    findings = []
    for change in changes:
        if change.kind != model.LINE_CHANGE:
            continue
        n = change.line
        if not any(1 <= n <= len(lines) for lines in quoted.values()):
            findings.append(model.Finding(
                model.LINE_MISMATCH,
                'line %d is beyond the end of every reference source' % n,
                change.span))
        elif change.old and not any(
                _line_matches(change.old, lines, n)
                for lines in quoted.values()):
            findings.append(model.Finding(
                model.LINE_MISMATCH,
                'line %d of no reference source reads `%s`' %
                (n, change.old.strip()), change.span))
    return findings


def _sentence_mismatches(sentences, quoted):
    """"Line N: `name` ..." where no version's line N mentions the name."""
    findings = []
    for sentence in sentences:
        m = _LEADING_LINE_RE.match(sentence.masked)
        if not m:
            continue
        n = int(m.group(1))
        names = [prose.name_of(code) for code in sentence.own_codes]
        names = [x.split('.')[-1] for x in names if x]
        if names and not any(1 <= n <= len(lines) and any(
                re.search(r'\b%s\b' % re.escape(x), lines[n - 1])
                for x in names) for lines in quoted.values()):
            findings.append(model.Finding(
                model.LINE_MISMATCH,
                'line %d of no reference source mentions %s' %
                (n, ', '.join('`%s`' % x for x in names)),
                model.Span(sentence.line, sentence.end_line)))
    return findings

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


"""Listings: code quoted with its line numbers, in text or inline code.

A listing carries the numbers of the version the reviewer read
(``75         self.x(``); :func:`inline_listings` finds numbered lines
inside a prose bullet's backticks, :func:`plain_listings` runs of them in
plain text.  The numbers go to :attr:`~model.Block.numbers`, the code to
the block's text.
"""

import re

from nova_resize_checks.review import model
from nova_resize_checks.review.read import unfenced


# An inline-backtick listing may continue over at most this many lines.
_MAX_INLINE_LINES = 50


# A line carrying an original line number: "75         self.x(".  One
# separator character (space, tab, ':' or '|', the latter two with an
# optional space) is dropped; the rest keeps its indentation.
NUMBERED_RE = re.compile(
    r'[ \t]*(\d{1,6})(?:[ \t]|[:|] ?|$)')


# The start of a prose bullet holding an inline-backtick listing.
_INLINE_START_RE = re.compile(
    r'[ \t]*(?:(?:\d{1,4}[.)]|[-*+])[ \t]+)?`(\d{1,6})(?:[ \t]|(?=`)|$)')


# Where an unclosed inline listing's code most likely ends: '": This'.
_INLINE_CUT_RE = re.compile(r':[ \t]+(?=[A-Z])')


def inline_listings(lines, used):
    """Seed-000 style: ``12. `24 \\n13     def setUp(self):`: ...``."""
    blocks = []
    consumed = set()
    i = 0
    n = len(lines)
    while i < n:
        if used[i]:
            i += 1
            continue
        m = _INLINE_START_RE.match(lines[i])
        if not m:
            i += 1
            continue
        numbers = [int(m.group(1))]
        rest = lines[i][m.end():]
        close = rest.find('`')
        texts = []
        last = i
        if close >= 0:
            texts.append(rest[:close])
        else:
            texts.append(rest)
            k = i + 1
            closed = False
            while k < n and k - i <= _MAX_INLINE_LINES and not used[k]:
                mk = NUMBERED_RE.match(lines[k])
                if not mk or not lines[k].strip():
                    break
                tail = lines[k][mk.end():]
                numbers.append(int(mk.group(1)))
                c = tail.find('`')
                last = k
                consumed.add(k)
                if c >= 0:
                    texts.append(tail[:c])
                    closed = True
                    break
                texts.append(tail)
                k += 1
            if not closed:
                # No closing backtick: cut off the trailing explanation.
                for idx, t in enumerate(texts):
                    cut = _INLINE_CUT_RE.search(t)
                    if cut:
                        texts[idx] = t[:cut.start()]
                        del texts[idx + 1:]
                        del numbers[idx + 1:]
                        break
        consumed.add(i)
        if not any(t.strip() for t in texts):
            i = last + 1
            continue
        blocks.append(model.Block(
            kind='listing', text='\n'.join(texts),
            span=model.Span(i + 1, last + 1), info='inline',
            numbers=tuple(numbers)))
        i = last + 1
    return blocks, consumed


def plain_listings(lines, used):
    """Runs of numbered lines outside fences."""
    regions = []
    i = 0
    n = len(lines)
    while i < n:
        m = None if used[i] else NUMBERED_RE.match(lines[i])
        if not m or not lines[i].strip():
            i += 1
            continue
        j = i + 1
        prev = int(m.group(1))
        while j < n and not used[j] and lines[j].strip():
            mj = NUMBERED_RE.match(lines[j])
            if not mj:
                break
            num = int(mj.group(1))
            if not prev < num <= prev + 3:
                break
            prev = num
            j += 1
        if any(_code_body(ln) for ln in lines[i:j]):
            if j - i >= 2 or _single_line_code(lines[i]):
                regions.append((i, j))
        i = j
    return regions


def _code_body(line):
    body = line[NUMBERED_RE.match(line).end():]
    return body.startswith('  ') or bool(
        unfenced.CODE_LIKE_RE.match(body.strip()))


def _single_line_code(line):
    body = line[NUMBERED_RE.match(line).end():]
    if body.startswith('  ') and body.strip():
        return True
    return bool(re.match(
        r'(?:(?:from|import|class|def|return|assert)\b|self\.|@)',
        body.strip()))

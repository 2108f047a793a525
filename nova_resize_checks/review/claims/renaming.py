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


"""Rename requests: "rename `a` to `b`" (optionally "in `f`").
"""

import bisect
import re

from nova_resize_checks.review.claims import lexicon
from nova_resize_checks.review import model
from nova_resize_checks.review.read import prose


def _rename_scope(masked, codes, end, test_text):
    """The def a rename is limited to ("rename a to b in `f`"), or None.

    Only a def the test has (``def f(`` in ``test_text``) is a scope; "in
    the test file" or a file name is not.
    """
    m = lexicon.RENAME_SCOPE_RE.match(masked, end)
    if not m:
        return None
    name = prose.name_of(codes[int(m.group('code'))]) if m.group('code') \
        else m.group('name')
    name = (name or '').rsplit('.', 1)[-1]
    if name and test_text and re.search(
            r'\bdef %s ?\(' % re.escape(name), test_text):
        return name
    return None


def rename_changes(masked, codes, line_at, unparsed, test_text=''):
    """``[(offset, change)]`` for the renames of one prose block.

    A def named right after the rename limits it to that def.
    """
    out = []
    seen = set()
    # (offset, index) of every code span that names something.
    named = [(p.start(), int(p.group(1)))
             for p in re.finditer(prose.PH, masked)
             if prose.name_of(codes[int(p.group(1))])]
    offsets = [off for off, _ in named]
    for regex, explicit in lexicon.RENAME_RES + lexicon.FOREIGN_RENAME_RES:
        for m in regex.finditer(masked):
            if explicit:
                a_index = int(m.group('old'))
                b_index = int(m.group('new'))
            else:
                b_index = int(m.group('new'))
                k = bisect.bisect_left(offsets, m.start())
                if k == 0:
                    continue
                a_index = named[k - 1][1]
            if b_index in seen:
                continue
            seen.add(b_index)
            a, b = codes[a_index], codes[b_index]
            span = model.Span(line_at(m.start()), line_at(m.end()))
            old, new = prose.name_of(a), prose.name_of(b)
            if (not old or not new or '.' in old or '.' in new or
                    old == new):
                unparsed.append(model.Finding(
                    model.UNPARSED_CLAIM,
                    'rename `%s` to `%s` is not a rename of one identifier'
                    % (a, b), span))
                out.append((m.start(), None))
                continue
            out.append((m.start(), rename_change(
                span, old, new, _rename_scope(masked, codes, m.end(),
                                              test_text))))
    out.extend(_list_renames(masked, codes, line_at, seen, test_text))
    for m in lexicon.PLAIN_RENAME_RE.finditer(masked):
        old, new = m.group('old').rstrip('.'), m.group('new').rstrip('.')
        if old.startswith('self.'):
            old = old[5:]
        if new.startswith('self.'):
            new = new[5:]
        if (prose.clearly_identifier(old) and prose.clearly_identifier(new) and
                old != new):
            span = model.Span(line_at(m.start()), line_at(m.end()))
            out.append((m.start(), rename_change(
                span, old, new, _rename_scope(masked, codes, m.end(),
                                              test_text))))
    return out


def _list_renames(masked, codes, line_at, seen, test_text):
    """"Rename `a` and `b` to `c` and `d`": one rename per pair, in order.

    Only when both lists are as long, every item is one identifier and
    every old name occurs in the test (a list of new code is no rename).
    """
    out = []
    for m in lexicon.LIST_RENAME_RE.finditer(masked):
        olds = [int(x) for x in re.findall(prose.PH, m.group('olds'))]
        news = [int(x) for x in re.findall(prose.PH, m.group('news'))]
        if len(olds) != len(news) or any(k in seen for k in news):
            continue
        pairs = [(prose.name_of(codes[a]), prose.name_of(codes[b]))
                 for a, b in zip(olds, news)]
        if not all(old and new and '.' not in old + new and old != new and
                   re.search(r'\b%s\b' % re.escape(old), test_text or '')
                   for old, new in pairs):
            continue
        seen.update(news)
        span = model.Span(line_at(m.start()), line_at(m.end()))
        scope = _rename_scope(masked, codes, m.end(), test_text)
        out.extend((m.start(), rename_change(span, old, new, scope))
                   for old, new in pairs)
    return out


def rename_change(span, old, new, scope):
    """The RENAME of ``old`` to ``new``, in def ``scope`` or the test."""
    return model.change(
        kind=model.RENAME, span=span, old=old, new=new,
        target=scope or 'test', summary='rename %s to %s%s' % (
            old, new, ' in %s' % scope if scope else ''))

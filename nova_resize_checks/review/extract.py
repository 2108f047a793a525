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


"""Turn a parsed review into the concrete changes it proposes.

:func:`extract` returns ``(changes, findings)``.  Rules, in short:

* A unified diff (a ``diff``/``patch`` fence, or text with ``---``/``+++``
  /``@@`` lines) is always a change: one :data:`~model.TEST_DIFF` or
  :data:`~model.NOVA_DIFF` per file it touches.
* Other code (a fence or a numbered listing) is a change only when the
  prose just before it introduces it as a fix ("fixed", "corrected code",
  "updated code", "should look like", "change it to", "replace ... with",
  a heading such as "Suggested fix") *and* it is not, once normalised, a
  verbatim piece of any reference source.  It is
  :data:`~model.TEST_FULL` when it holds a class and a ``test*`` method,
  :data:`~model.TEST_SNIPPET` otherwise, or :data:`~model.LINE_CHANGE`
  when the introduction says "change line N to:".  Introduced code that is
  plainly not Python gives an :data:`~model.UNPARSED_CLAIM` finding.
  Numbered lines quoted inside inline backticks (line-by-line
  descriptions) are never changes.
* Prose directives over backticked names: renames, removals of names,
  statements or lines, and "change line N to `...`".
* A sentence that asks for a change (``should``, ``rename``, ``remove``
  ...) about backticked code or a line number, and that became no change,
  gives an :data:`~model.UNPARSED_CLAIM` finding.

Conventions beyond :mod:`model`'s comments (model.py has no room for them):

* :data:`~model.REMOVE` with ``line`` set and ``old == ''`` removes that
  line of the test; with ``old`` holding a statement (``old`` not an
  identifier) it removes that statement.
* "On line N replace `A` with `B`" becomes a :data:`~model.LINE_CHANGE`
  whose ``code`` is line N of the first reference source holding `A` there
  (``'test'`` first) with `A` replaced, and whose ``old`` is that original
  line; "change lines N-M to:" is a :data:`~model.LINE_CHANGE` of line N
  plus a :data:`~model.REMOVE` of each of the lines N+1..M.
* A :data:`~model.REMOVE` of a name has a summary naming what the review
  called it ("remove unused argument server").
* A :data:`~model.TEST_SNIPPET` taken from a numbered listing has
  ``line`` set to the listing's first line number.
"""

import ast
import bisect
import collections
import difflib
import functools
import hashlib
import keyword
import re
import textwrap

from nova_resize_checks import assertions
from nova_resize_checks.review import diffs
from nova_resize_checks.review import known_versions
from nova_resize_checks.review import model
from nova_resize_checks.review import parse
from nova_resize_checks.review import prose
from nova_resize_checks.review import texts

# Placeholders of masked code spans (see prose.mask_code).
PH, PH_OPEN, PH_CLOSE = prose.PH, prose.PH_OPEN, prose.PH_CLOSE
name_of = prose.name_of

_TOKEN_RE = re.compile(
    '\ue000(\\d+)\\n*\ue001|[A-Za-z_][\\w\'-]*|\\d+|[^\\s\\w]')

_PY_LANGS = frozenset(('python', 'py', 'python3', 'py3', 'python2',
                       'pycon', 'ipython', 'sage'))
_DIFF_LANGS = frozenset(('diff', 'patch', 'udiff', 'git-diff'))
_TEXT_LANGS = frozenset(('', 'text', 'txt', 'plain', 'plaintext', 'code',
                         'none', 'nohighlight', 'output'))
_SHELL_WORDS = frozenset((
    'sudo', 'pip', 'pip3', 'tox', 'git', 'nova-manage', 'openstack',
    'curl', 'cd', 'export', 'apt', 'apt-get', 'yum', 'dnf', 'systemctl',
    'stestr', 'bash', 'sh', 'ls', 'cat', 'echo', 'nova', 'placement',
    'service', 'mysql', 'rm', 'mkdir', 'chmod', 'kill', 'wget'))

_FIX_RE = re.compile(
    r'\b(?:fix(?:ed|es|ing)?|correct(?:ed|ion|ions)?|updated|improved|'
    r'revised|rewritten|modified|amended|adjusted|suggested|suggestion|'
    r'proposed|proposal|recommended|should\s+(?:look|be|read|become)|'
    r'(?:could|would|might)\s+(?:look|be|read)|'
    r'change\s+(?:it|this|that|them|the\s+\w+)\s+to|'
    r'replac(?:e|ed|ing)\b[^.\n]{0,80}?\b(?:with|by)|replacement|instead|'
    r'as\s+follows|patch(?:ed)?|new\s+version|refactor\w*|'
    r'try\s+this|becomes|solution|workaround)\b', re.I)
_QUOTE_RE = re.compile(
    r'\b(?:original|current(?:ly)?|existing|in\s+question|as\s+written|'
    r'quoted?|excerpt|here\s+is\s+the\s+(?:relevant\s+)?(?:code|test|'
    r'snippet|part)|the\s+(?:code|test)\s+(?:is|reads|does|has|contains|'
    r'looks\s+like)|looks\s+like\s+this|at\s+the\s+moment|right\s+now|'
    r'under\s+review)\b', re.I)
_LINE_INTRO_RES = (
    re.compile(
        r'\b(?:change|replace|update|modify|rewrite|amend)\s+lines?\s+'
        r'(\d{1,6})(?:\s*(?:-|\u2013|to|through)\s*(\d{1,6}))?'
        r'(?:\s+(?:to|with|by|as|into)\b)?[^\w\ue000]*$', re.I),
    re.compile(
        r'\blines?\s+(\d{1,6})(?:\s*(?:-|\u2013|to|through)\s*(\d{1,6}))?'
        r'\s+(?:[\w-]+\s+){0,2}?(?:should|must|needs\s+to)\s+'
        r'(?:be|read|become|look\s+like)\b(?:\s+(?:changed|updated)\s+to|'
        r'\s+replaced\s+(?:with|by))?[^\w\ue000]*$', re.I),
)
_LINE_CHANGE_RES = (
    re.compile(
        r'\b(?:change|replace|update|modify|rewrite|set)\s+line\s+'
        r'(\d{1,6})\s*(?:to|with|by|into|as)\s*:?\s*' + PH, re.I),
    re.compile(
        r'\bline\s+(\d{1,6})\s+(?:[\w-]+\s+){0,2}?(?:should|must|needs\s+'
        r'to|has\s+to|ought\s+to)\s+(?:instead\s+)?(?:be|read|become|say)'
        r'(?:\s+(?:changed|updated)\s+to|\s+replaced\s+(?:with|by))?'
        r'\s*:?\s*' + PH, re.I),
)
# "replace lines 84 to 87 with `...`": the first line becomes the code,
# the others go.
_LINE_RANGE_CHANGE_RE = re.compile(
    r'\b(?:change|replace|update|modify|rewrite)\s+lines\s+(\d{1,6})\s*'
    r'(?:-|\u2013|to|through)\s*(\d{1,6})\s*(?:to|with|by|into|as)\s*:?\s*' +
    PH, re.I)
_LINE_SUBST_RES = (
    (re.compile(
        r'\b(?:in|on|at)\s+line\s+(\d{1,6})\s*,?\s+(?:[\w-]+\s+){0,4}?'
        r'(?:change|replace|swap)\s+' + PH +
        r'\s+(?:to|with|by|for)\s+' + PH, re.I), (1, 2, 3)),
    (re.compile(
        r'\b(?:change|replace|swap)\s+' + PH + r'\s+(?:to|with|by|for)\s+' +
        PH + r'\s+(?:in|on|at)\s+line\s+(\d{1,6})', re.I), (3, 1, 2)),
)
_LINE_REMOVE_RES = (
    re.compile(
        r'\b(?:remov|delet|drop)\w*\s+(?:the\s+)?lines?\s+(\d{1,6})'
        r'(?:\s*(?:-|\u2013|to|through|and)\s*(\d{1,6}))?', re.I),
    re.compile(
        r'\blines?\s+(\d{1,6})(?:\s*(?:-|\u2013|to|through|and)\s*'
        r'(\d{1,6}))?\s+(?:[\w-]+\s+){0,3}?(?:removed|deleted|dropped)\b',
        re.I),
)
_SOMETHING_LIKE = (r'(?:(?:something|a\s+name|a\s+more\s+\w+\s+name)\s+'
                   r'(?:like|such\s+as)\s+|e\.g\.,?\s+|simply\s+|just\s+)?')
_RENAME_RES = (
    # rename `A` to `B`
    (re.compile(
        r'\brenam(?:e|ing)\s+(?:(?:the|a|this|that)\s+)?(?:[\w-]+\s+){0,2}?' +
        PH + r'\s*,?\s+(?:to|as|into|with)\s+' + _SOMETHING_LIKE + PH,
        re.I), True),
    # `A` should be renamed to `B`
    (re.compile(
        PH + r'[\s,]+(?:[\w()-]+\s+){0,5}?renamed\s+(?:to|as|into)\s+' +
        _SOMETHING_LIKE + PH, re.I), True),
    # It should be renamed to `B`  (A: the name mentioned before)
    (re.compile(
        r'\b(?:it|this|they|that|which)\s+(?:[\w-]+\s+){0,3}?renamed\s+'
        r'(?:to|as|into)\s+' + _SOMETHING_LIKE + PH, re.I), False),
)
_PLAIN_RENAME_RE = re.compile(
    r'\brename\s+(?:(?:the|a)\s+(?:[\w-]+\s+)?)?(?<![\w\ue000])'
    r'([A-Za-z_][\w.]*)\s+(?:to|as)\s+([A-Za-z_][\w.]*)', re.I)
_CUE_RE = re.compile(
    r'\b(?:should|must|needs?\s+to|has\s+to|can\s+be|could\s+be|'
    r'would\s+be\s+(?:better|clearer|more|preferable)|recommend\w*|'
    r'i\s+suggest|suggest(?:ed)?\s+(?:to|that|using|adding|removing|'
    r'changing|renaming|replacing)|consider(?:ing)?|instead\s+of|'
    r'replac\w*|renam\w*|remov\w*|delet\w*|chang(?:e|ed|ing)|'
    r'updat(?:e|ed|ing)|fix(?:ed|ing)?|mov(?:e|ed|ing)|add(?:ed|ing)?|'
    r'swap\w*|use)\b', re.I)
# A request for a change that names no code: a modal with "be" and a
# participle of changing ("should be made idempotent"), "consider
# <verb>ing", "deserves to".  Predictions ("should pass", "should be
# empty") are not requests.
_VAGUE_REQUEST_RE = re.compile(
    r'\b(?:should|must|needs?\s+to|ought\s+to)\s+(?:also\s+|really\s+)?be\s+'
    r'(?:made|changed|moved|extracted|refactored|parametri[sz]ed|split|'
    r'rewritten|reworked|simplified|generali[sz]ed|hardened|updated|'
    r'fixed|replaced|removed|guarded|protected)\b|'
    r'\bconsider\s+\w+ing\b|\bdeserves?\s+to\b|'
    # "the waits should have an explicit upper bound"
    r'\b(?:should|must|needs?\s+to|ought\s+to)\s+(?:also\s+)?(?:have|'
    r'carry|get|gain|include|use)\s+(?:an?|its|their|some|one)\b', re.I)
_LINE_REF_RE = re.compile(r'\blines?\s+\d{1,6}\b', re.I)
# "does not use", "never calls": a statement about the code, not a cue.
_NEGATED_USE = re.compile(
    r"\b(?:not|never|n't|no\s+longer)\s+(?:\w+\s+)?(?:use[sd]?|call[sd]?|"
    r"need[sd]?|add[sd]?|change[sd]?|update[sd]?)\b", re.I)
_DESCRIPTION_RE = re.compile(
    r'[\W\d]*(?:\ue000\d+\n*\ue001[\s:]*)?(?:this|these|the)\s+'
    r'(?:line|lines|comment|statement)\b', re.I)
_ANAPHORA_RE = re.compile(r'\W*(?:it|this|they|these|that)\b', re.I)
_NOVA_PATH_RE = re.compile(r'\b(nova/[\w./-]*\.py)\b')
_REMOVE_WORDS = frozenset(('remove', 'removed', 'removing', 'delete',
                           'deleted', 'deleting', 'drop', 'dropped',
                           'dropping', 'eliminate', 'eliminated'))
_REMOVE_IMPERATIVE = frozenset(('remove', 'removing', 'delete', 'deleting',
                                'drop', 'dropping', 'eliminate'))
_UNUSED_WORDS = frozenset(('unused', 'unnecessary', 'redundant',
                           'superfluous', 'obsolete'))
_LOCATION_WORDS = frozenset(('of', 'in', 'from', 'by', 'inside', 'within',
                             'because', 'since', 'but', 'while', 'when',
                             'to', 'into', 'for', 'with', 'than', 'at',
                             'on', 'after', 'before', 'if', 'unless'))
_NOUN_RE = re.compile(
    r'\b(argument|parameter|param|variable|attribute|method|function|'
    r'helper|import|class|assertion|call|constant|field|statement|line|'
    r'check)(?:s|es)?\b', re.I)
_OWNER_WORDS = frozenset(('of', 'in', 'from', 'inside', 'within'))
_LIST_JOIN_WORDS = frozenset(('and', 'or', 'such', 'as', 'like', 'e', 'g',
                              'the', 'both', 'also', 'well', 'including'))
_STATEMENT_KEYWORD = re.compile(
    r'\s*(?:return|assert|raise|del|pass|import|from|if|for|while|with|'
    r'try|break|continue|yield|global|nonlocal)\b')
_MODALS = frozenset(('can', 'could', 'should', 'must', 'may', 'might'))
_MAX_LINE_RANGE = 200
MAX_FINDINGS_PER_KIND = 100
# A review proposing more changes than this is not a review; the rest are
# dropped with a finding.
MAX_CHANGES = 20000
# How findings for prose that reads like a request but became no change
# begin.
PROSE_CLAIM = 'claim not turned into a change:'
# Code blocks read as proposals per review: every one becomes a version of
# the test to edit (and perhaps run), so a review with thousands of blocks
# is read up to here and the rest reported.
MAX_CODE_PROPOSALS = 100


def logical_lines(code):
    """Normalise Python-ish code for comparison.

    Comment-only and blank lines go; whitespace outside string literals
    goes; a bracketed statement spread over several lines becomes one
    entry.  Works on code that does not parse.  Linear in its input.
    """
    out = []
    cur = []
    depth = 0
    quote = None
    for line in code.split('\n'):
        if quote is None and depth == 0 and not cur:
            s = line.strip()
            if not s or s.startswith('#'):
                continue
        i = 0
        n = len(line)
        while i < n:
            c = line[i]
            if quote:
                if c == '\\' and i + 1 < n:
                    cur.append(line[i:i + 2])
                    i += 2
                    continue
                if line.startswith(quote, i):
                    cur.append(quote)
                    i += len(quote)
                    quote = None
                    continue
                cur.append(c)
                i += 1
                continue
            if c == '#':
                break
            if c in '\'"':
                quote = c * 3 if line.startswith(c * 3, i) else c
                cur.append(quote)
                i += len(quote)
                continue
            if c in '([{':
                depth += 1
            elif c in ')]}':
                depth = max(0, depth - 1)
            if not c.isspace():
                cur.append(c)
            i += 1
        if quote is not None and len(quote) == 1:
            quote = None
        joined = bool(cur) and cur[-1] == '\\' and quote is None
        if joined:
            cur.pop()
        if quote is None and depth == 0 and not joined and cur:
            out.append(''.join(cur))
            cur = []
        elif quote is not None:
            cur.append('\n')
    if cur:
        out.append(''.join(cur))
    return out


# Upstream's 2019 helper dialect: the wait helpers took the API client
# first (``self._wait_for_state_change(self.admin_api, server, 'ERROR')``);
# nova 22 dropped that argument.  Lines compare without it.
_OLD_HELPER_ARG = re.compile(r'(\._wait_for_\w+\()self\.(?:admin_)?api,')


_OLD_HELPER_CALL = re.compile(
    r'(\._wait_for_\w+\(\s*)self\.(?:admin_)?api\s*,\s*')


def port_dialect(code):
    """Proposed code in the 2019 helper dialect, brought to today's.

    A review of upstream's recreate version proposes calls such as
    ``self._wait_for_state_change(self.admin_api, server, 'ERROR')``; run
    as written against today's nova they fail for a reason the review did
    not cause.  Only that argument is dropped.
    """
    return _OLD_HELPER_CALL.sub(r'\1', code)


def comparable_lines(code):
    """logical_lines() with the older helper dialect brought to today's."""
    return [_OLD_HELPER_ARG.sub(r'\1', line) for line in logical_lines(code)]


def line_digest(line):
    """The fingerprint of one comparable line (see known_versions)."""
    return hashlib.sha256(line.encode('utf-8')).hexdigest()[:16]


def _contains(haystack, needle):
    if not needle:
        return True
    first = needle[0]
    m = len(needle)
    for i in range(len(haystack) - m + 1):
        if haystack[i] == first and haystack[i:i + m] == needle:
            return True
    return False


def is_quotation(code, normalised_refs, known=True):
    """Whether ``code`` is, normalised, a piece of a reference.

    The references are the test, upstream's installed copy and the
    reviewed version; with ``known``, also the upstream versions of
    :mod:`known_versions`.  Code holding nothing but comments counts as a
    quotation too.
    """
    wanted = comparable_lines(code)
    if not wanted:
        return True
    if any(_contains(ref, wanted) for ref in normalised_refs):
        return True
    if not known:
        return False
    digests = tuple(line_digest(line) for line in wanted)
    return any(_contains(known, digests)
               for known in known_versions.FINGERPRINTS.values())


def restates_other_version(code, test_source):
    """Whether a proposed snippet restates a known upstream version.

    True when the lines it shares with the test are, in order, a
    contiguous run of upstream's recreate or fix version but not of the
    test: the review quotes that version, and statements the test has
    between them are not the review's to remove.
    """
    shared_test = comparable_lines(test_source)
    shared = [line for line in comparable_lines(code) if line in
              set(shared_test)]
    if len(shared) < 2 or _contains(shared_test, shared):
        return False
    digests = tuple(line_digest(line) for line in shared)
    return any(_contains(known, digests)
               for known in known_versions.FINGERPRINTS.values())


def fence_language(info):
    word = info.split()[0] if info.split() else ''
    word = word.strip('{}.').lower()
    if word.startswith('language-'):
        word = word[len('language-'):]
    return word


def _is_shell_line(line):
    s = line.strip()
    if s.startswith('$ ') or s.startswith('> '):
        return True
    first = s.split(None, 1)[0] if s else ''
    rest = s[len(first):].lstrip()
    return (first in _SHELL_WORDS and not rest.startswith(('=', '(', '.')) and
            not s.endswith(':'))


def code_language(text, info):
    """'diff', 'python', 'other' (plainly not Python) or 'prose'."""
    lang = fence_language(info)
    if lang in _DIFF_LANGS or diffs.looks_like_diff(text):
        return 'diff'
    if lang in _PY_LANGS:
        return 'python'
    if lang not in _TEXT_LANGS:
        return 'other'
    tree = texts.parse_python(text)
    if tree is not None:
        if tree.body and all(
                isinstance(s, ast.Expr) and isinstance(
                    s.value, (ast.Dict, ast.List, ast.Constant, ast.Set))
                for s in tree.body):
            return 'other'
        return 'python'
    lines = [ln for ln in text.split('\n')
             if ln.strip() and not ln.strip().startswith('#')]
    if lines and sum(1 for ln in lines if _is_shell_line(ln)) >= \
            0.6 * len(lines):
        return 'other'
    if parse.looks_like_prose(text):
        return 'prose'
    return 'python'


def diff_target(path, intro=''):
    """``(kind, target)`` for a diff touching ``path``."""
    if not path:
        m = _NOVA_PATH_RE.search(intro or '')
        path = m.group(1) if m else ''
    if 'test_bug_1825537' in path:
        return model.TEST_DIFF, 'test'
    m = re.search(r'(?:^|/)(nova/[\w./-]+)', path)
    if m:
        return model.NOVA_DIFF, m.group(1)
    return model.TEST_DIFF, 'test'


def _intro_blocks(blocks, k):
    """The (up to two) prose blocks just before block ``k``."""
    found = []
    j = k - 1
    while j >= 0 and len(found) < 2:
        b = blocks[j]
        if b.kind == 'prose':
            found.append(j)
        elif not (b.kind == 'listing' and b.info == 'inline'):
            break
        j -= 1
    return found


def _introduction(blocks, k):
    """``(is_fix, last_sentence_masked, intro_text, prose_indexes, codes)``.

    ``codes``: the code spans of the masked last sentence.
    """
    idx = _intro_blocks(blocks, k)
    if not idx:
        return False, '', '', idx, []
    nearest = blocks[idx[0]].text
    sentences, codes = prose.sentences_of(nearest)
    last = sentences[-1] if sentences else ''
    whole = '\n'.join(blocks[i].text for i in reversed(idx))
    if _FIX_RE.search(last) or _line_intro(last):
        return True, last, whole, idx, codes
    if _QUOTE_RE.search(last):
        return False, last, whole, idx, codes
    if _FIX_RE.search(whole) and not _QUOTE_RE.search(whole):
        return True, last, whole, idx, codes
    return False, last, whole, idx, codes


# "to go at the end of the test method:", "at the start of `setUp`:"
_END_INTRO_RE = re.compile(
    r'\b(?:at|to)\s+the\s+(end|bottom|start|beginning|top)\s+of\s+'
    r'(?:the\s+)?(?:(test)(?:\s+(?:method|body|case))?\b|' + PH + ')', re.I)
# "Replace the `f` and `g` calls with:"
_REPLACE_CALLS_INTRO_RE = re.compile(
    r'\breplac\w*\s+(?:the\s+|both\s+)?((?:' + PH + r'(?:\s*,\s*|\s+and\s+'
    r'|\s+or\s+)?(?:the\s+)?)+)\s*(?:calls?|assertions?|checks?|'
    r'statements?)?\s*(?:with|by)\b[^\ue000]*$', re.I)


# "Replace that call with:", "this assertion should become:": the block
# takes the place of the statement the review quoted just before.
_REPLACE_THAT_INTRO_RES = (
    re.compile(
        r'\b(?:replac\w*|swap\w*|chang\w*|rewrit\w*)\s+(?:that|this|it|'
        r'the\s+(?:above|former|latter|same))\b(?:\s+(?:call|line|'
        r'assertion|check|statement|one))?\s*(?:with|by|to|for|as|into)\b'
        r'[^\ue000]*$', re.I),
    re.compile(
        r'\b(?:that|this|it)\s+(?:(?:call|line|assertion|check|statement)'
        r'\s+)?(?:should|could|can|must|would)\s+(?:better\s+)?'
        r'(?:be\s+(?:replaced|rewritten|changed)\s+(?:with|by|to|as)|'
        r'become|read)\b[^\ue000]*$', re.I),
)


def _antecedent(codes, test_source):
    """The last quoted code that is one whole statement of the test.

    ``codes``: the code spans of the introduction, in order.  None when
    none is, or when that statement is in the test more than once.
    """
    if not test_source:
        return None
    test = logical_lines(test_source)
    for code in reversed(codes):
        key = logical_lines(code)
        if len(key) != 1 or texts.parse_python(code) is None:
            continue
        for form in (key[0], 'self.' + key[0]):
            # (Reviews drop the ``self.`` of a method: "the
            # `assertFlavorMatchesUsage(...)` call".)
            if test.count(form) == 1:
                return code.strip() if form == key[0] else \
                    'self.' + code.strip()
    return None


def _in_place_of(old, code, span):
    """The block ``code`` takes the place of statement ``old`` (or None)."""
    if old is None:
        return None
    return [model.change(
        kind=model.INSERT, span=span, code=code, anchor=old,
        where='before', summary='add the block in place of `%s`'
        % texts.short(old, 60)),
        model.change(
            kind=model.REMOVE, span=span, old=old,
            summary='remove `%s` (replaced by the block)'
            % texts.short(old, 60))]


# The sentence goes on after the block: "Use <block> instead of `X`".
_CONTINUED_INSTEAD_RE = re.compile(
    r'^\W{0,3}(?:instead\s+of|in\s+place\s+of|rather\s+than)\s+'
    r'(?:the\s+)?(?:(?:current|existing|old)\s+)?' + PH, re.I)


def _continued_in_place(block_after, code, span, test_source):
    """A block whose sentence ends after it with "instead of `X`"."""
    if block_after is None or block_after.kind != 'prose':
        return None
    masked, codes = prose.mask_code(block_after.text)
    m = _CONTINUED_INSTEAD_RE.match(masked)
    if not m or texts.parse_python(code) is None:
        return None
    return _in_place_of(_antecedent([codes[int(m.group(1))]], test_source),
                        code, span)


def _placed_block(last, codes, code, span, test_source=''):
    """Changes for a block whose introduction says where it goes.

    ``last``: the introduction's last sentence, masked (``codes``: the code
    spans of its prose block).  The end or start of a def, in place of
    named calls, or in place of the statement quoted just before ("replace
    that call with:"); None when the introduction says neither or the
    block is not statements.
    """
    if texts.parse_python(code) is None or re.search(
            r'^\s*(?:def|class)\s', code, re.M):
        return None
    if any(regex.search(last) for regex in _REPLACE_THAT_INTRO_RES):
        return _in_place_of(_antecedent(codes, test_source), code, span)
    m = _END_INTRO_RE.search(last)
    if m:
        where = 'end' if m.group(1).lower() in ('end', 'bottom') else 'start'
        scope = assertions.TEST_METHOD
        if m.group(3) is not None:
            scope = name_of(codes[int(m.group(3))]) or ''
            scope = scope.rsplit('.', 1)[-1]
        if not scope:
            return None
        return [model.change(
            kind=model.INSERT, span=span, code=code, where=where,
            target=scope, summary='add the block at the %s of %s'
            % (where, scope))]
    m = _REPLACE_CALLS_INTRO_RE.search(last)
    if m:
        spans = [codes[int(i)] for i in re.findall(PH, m.group(1))]
        if len(spans) == 1 and not name_of(spans[0]):
            # "Replace `<a statement of the test>` with:"
            return _in_place_of(_antecedent(spans, test_source), code, span)
        names = [name_of(code_span) for code_span in spans]
        if not names or not all(names):
            return None
        names = [n.rsplit('.', 1)[-1] for n in names]
        changes = [model.change(
            kind=model.INSERT, span=span, code=code, anchor=names[0],
            where='before', summary='add the block in place of the %s '
            'call(s)' % ', '.join(names))]
        for name in names:
            changes.append(model.change(
                kind=model.REMOVE, span=span, old=name, unit=model.CALLS,
                summary='remove the %s call (replaced by the block)' % name))
        return changes
    return None


def _line_intro(last):
    for regex in _LINE_INTRO_RES:
        m = regex.search(last.strip())
        if m:
            first = int(m.group(1))
            end = int(m.group(2)) if m.group(2) else first
            return first, end
    return None


def _line_changes(first, end, code, span, summary):
    changes = [model.change(kind=model.LINE_CHANGE, span=span, code=code,
                            line=first, summary=summary)]
    if first < end <= first + _MAX_LINE_RANGE:
        for n in range(first + 1, end + 1):
            changes.append(model.change(
                kind=model.REMOVE, span=span, line=n,
                summary='remove line %d (replaced with line %d)' %
                (n, first)))
    return changes


def _strip_own_number(code, line):
    m = re.match(r'\s*%d(?:[ \t]|$)' % line, code)
    return code[m.end():] if m else code


def _code_changes(block, intro, refs_norm, findings, test_source='',
                  block_after=None, refs=None):
    """Changes from one fence or listing block.

    ``block_after``: the block that follows (the sentence may go on after
    the code: "Use <block> instead of `X`").
    """
    is_fix, last, whole, _, last_codes = intro
    text = block.text
    lang = code_language(text, block.info)
    if lang == 'diff':
        changes = []
        for path, section in diffs.split(text):
            kind, target = diff_target(path, whole)
            if kind != model.NOVA_DIFF:
                section = port_dialect(section)
            changes.append(model.change(
                kind=kind, span=block.span, target=target, code=section,
                summary='unified diff against %s' % (path or target)))
        if not changes:
            # A diff is a proposal; one that changes nothing (cut short,
            # or context only) cannot be applied.
            findings.append(model.Finding(
                model.UNPARSED_CLAIM,
                'a diff that changes no line (no added or removed lines '
                'were read): %s' % texts.short(text, 80), block.span))
        return changes
    if lang in ('other', 'prose'):
        if is_fix or _CUE_RE.search(last):
            findings.append(model.Finding(
                model.UNPARSED_CLAIM,
                'code introduced as a fix is not Python (%s): %s' %
                (fence_language(block.info) or lang, texts.short(text)),
                block.span))
        return []
    lines = _line_intro(last) if is_fix else None
    if lines:
        first, end = lines
        code = port_dialect(textwrap.dedent(text).strip('\n'))
        here = None
        if refs is not None and first == end:
            here, _version = _line_of_known_version(
                first, code, refs.lines, refs.reviewed, refs.named_version)
        summary = 'replace line(s) %d-%d with the block' % lines
        if here:
            summary += ' (line %d here)' % here
            first = end = here
        return _line_changes(first, end, code, block.span, summary)
    placed = _placed_block(last, last_codes,
                           textwrap.dedent(text).strip('\n'), block.span,
                           test_source) or _continued_in_place(
        block_after, textwrap.dedent(text).strip('\n'), block.span,
        test_source)
    if placed:
        return placed
    # Content decides: code that is, normalised, a piece of a version of
    # the test is a quotation; any other code is a proposal, whatever the
    # sentence before it says.  Only a numbered listing that the review
    # presents as the existing code (and not as a fix) is read as a
    # walk-through of code this tool does not know.
    # Code that is a run of another version of the test (upstream's
    # installed copy, the reviewed version, a version known by
    # fingerprint) is a quotation unless the review presents it as the
    # fix: a review of the 2019 recreate version may offer upstream's
    # later method as the correction (wording settles that tie).  A run of
    # the test itself is always a quotation.
    offered = is_fix and not _QUOTE_RE.search(last) and bool(test_source)
    if is_quotation(text, [comparable_lines(test_source)] if offered
                    else refs_norm, known=not offered):
        return []
    if not is_fix and block.kind == 'listing' and block.numbers and \
            _QUOTE_RE.search(whole or ''):
        return []
    code = port_dialect(textwrap.dedent(text).strip('\n') + '\n')
    full = (re.search(r'^class\s+\w+', code, re.M) and
            re.search(r'^[ \t]+def\s+test\w*\s*\(', code, re.M))
    kind = model.TEST_FULL if full else model.TEST_SNIPPET
    line = 0
    where = 'fenced code'
    if block.kind == 'listing' and block.numbers:
        line = block.numbers[0]
        where = 'numbered listing, lines %d-%d' % (block.numbers[0],
                                                   block.numbers[-1])
    partial = not full and bool(test_source) and \
        restates_other_version(code, test_source)
    extra = {} if full else {'line': line, 'partial': partial}
    return [model.change(kind=kind, span=block.span, code=code, **extra,
                         summary='%s from %s%s' % (
                             'whole test' if full else 'snippet', where,
                             ' (restating another version of the test)'
                             if partial else ''))]


# "I'd replace <quoted block> with <proposed block>": the sentence runs
# through both blocks.
_REPLACE_BEFORE_QUOTE_RE = re.compile(
    r'\b(?:replac\w*|chang\w*|swap\w*|turn\w*|rewrit\w*)\b[^.!?]{0,40}'
    r':?\s*$', re.I)
_WITH_BETWEEN_RE = re.compile(
    r'^\W{0,3}(?:with|by|into|to|for)\b[^.!?]{0,60}:?\s*$', re.I)


def _joined(blocks, q, k):
    """Whether prose says "replace <block q> with <block k>"."""
    between = blocks[q + 1:k]
    if len(between) != 1 or between[0].kind != 'prose' or q == 0:
        return False
    before = blocks[q - 1]
    return bool(before.kind == 'prose' and
                _REPLACE_BEFORE_QUOTE_RE.search(before.text) and
                _WITH_BETWEEN_RE.match(between[0].text.strip()))


def _rewrite_of_quotation(quote, change, test_source, joined=False):
    """A snippet that rewrites the block the review quoted just before.

    When the code block before a proposed snippet quotes a run of the test
    and the snippet shares statements with it, and every statement of the
    snippet that the test has is in that run, the snippet is the quoted
    run rewritten: what the quotation has and the snippet drops goes.  It
    becomes a diff from the quotation to the snippet (applied by content
    like any diff).  So does a snippet the prose puts in the quotation's
    place (``joined``: "replace <quotation> with <snippet>"), whatever it
    shares.  Anything else: ``change`` unchanged.
    """
    if change.kind != model.TEST_SNIPPET or change.partial or \
            re.search(r'^\s*(?:def|class|@)', change.code, re.M):
        return change
    quoted = comparable_lines(quote.text)
    proposed = comparable_lines(change.code)
    test = comparable_lines(test_source)
    in_test = [line for line in proposed if line in set(test)]
    if not quoted or not _contains(test, quoted) or not (joined or (
            in_test and set(in_test) <= set(quoted) and
            not set(quoted) <= set(proposed))):
        return change
    old = textwrap.dedent(quote.text).strip('\n').split('\n')
    new = textwrap.dedent(change.code).strip('\n').split('\n')
    diff = '\n'.join(difflib.unified_diff(
        old, new, 'a/test_bug_1825537.py', 'b/test_bug_1825537.py',
        lineterm='')) + '\n'
    return model.change(
        kind=model.TEST_DIFF, span=change.span, target='test', code=diff,
        summary='rewrite of the code quoted at review line %d (as a diff)'
        % quote.span.start)


def _tokens(masked):
    """Tokens ``(kind, value, start)`` of a masked sentence.

    ``kind`` is 'code' (value: the code span index), 'word' (lower-cased)
    or 'punct'.
    """
    out = []
    for m in _TOKEN_RE.finditer(masked):
        if m.group(1) is not None:
            out.append(('code', int(m.group(1)), m.start()))
        elif m.group(0)[0].isalnum() or m.group(0)[0] == '_':
            out.append(('word', m.group(0).lower(), m.start()))
        else:
            out.append(('punct', m.group(0), m.start()))
    return out


def _code_run(tokens, i, forward=True, skip=3):
    """Code spans forming a list ("`a`, `b` and `c`") next to ``i``."""
    found = []
    step = 1 if forward else -1
    j = i
    skipped = 0
    while 0 <= j < len(tokens):
        kind, value, _ = tokens[j]
        if kind == 'code':
            found.append(value)
            skipped = 0
        elif kind == 'punct' and value in ',;/(:':
            pass
        elif kind == 'word' and (value in _LIST_JOIN_WORDS or
                                 _NOUN_RE.fullmatch(value)):
            pass
        elif kind == 'word' and not found and skipped < skip and \
                value not in _LOCATION_WORDS:
            skipped += 1
        else:
            break
        j += step
    return found if forward else list(reversed(found))


def unused_names(sentence_masked):
    """Code span indexes a sentence calls unused."""
    tokens = _tokens(sentence_masked)
    found = []
    for i, (kind, value, _) in enumerate(tokens):
        if kind != 'word':
            continue
        cue = value in _UNUSED_WORDS
        nxt = tokens[i + 1][1] if i + 1 < len(tokens) else ''
        if value in ('not', 'never') and nxt in ('used', 'needed',
                                                 'referenced'):
            cue = True
        if not cue:
            continue
        # "unused variables, such as `a` and `b`"
        found.extend(_code_run(tokens, i + 1, forward=True, skip=3))
        # "`a` is unused" / "`a` is never used"
        j = i - 1
        while j >= 0 and tokens[j][0] == 'word' and tokens[j][1] in (
                'is', 'are', 'seems', 'seem', 'appears', 'appear', 'to',
                'be', 'also', 'currently', 'actually', 'completely',
                'totally', 'never', 'not'):
            j -= 1
        if j >= 0 and tokens[j][0] == 'code' and j < i - 1:
            found.extend(_subject_run(tokens, j))
    return list(dict.fromkeys(found))


def _subject_run(tokens, j):
    """The code spans before a verb phrase that it is about.

    "`x` of `f` is unused" is about `x`, not `f`.
    """
    run = _code_run(tokens, j, forward=False, skip=0)
    k = j
    while k >= 0 and (tokens[k][0] == 'code' or tokens[k][1] in
                      (',', 'and', 'or')):
        k -= 1
    if k >= 1 and tokens[k][0] == 'word' and tokens[k][1] in _OWNER_WORDS:
        m = k - 1
        while m >= 0 and tokens[m][0] == 'word' and m > k - 3 and \
                tokens[m][1] not in _LOCATION_WORDS:
            m -= 1
        if m >= 0 and tokens[m][0] == 'code':
            return _code_run(tokens, m, forward=False, skip=0)
    return run


_DETERMINERS = frozenset(('the', 'a', 'an', 'this', 'that', 'its', 'their',
                          'our', 'any', 'each', 'every', 'no', 'his', 'her'))


def _removed_codes(sentence_masked):
    """Code span indexes a sentence asks to remove."""
    tokens = _tokens(sentence_masked)
    verbs = [i for i, t in enumerate(tokens)
             if t[0] == 'word' and t[1] in _REMOVE_WORDS]
    if not verbs:
        return []
    found = list(unused_names(sentence_masked))
    for i in verbs:
        # "remove the unused argument `server`" (not "nova removed the
        # `api` parameter", which tells what happened)
        if tokens[i][1] in _REMOVE_IMPERATIVE:
            if i and tokens[i - 1][0] == 'word' and \
                    tokens[i - 1][1] in _DETERMINERS:
                # "refuses the DELETE": a noun, not an imperative.
                continue
            found.extend(_code_run(tokens, i + 1, forward=True, skip=4))
            continue
        # "`a` and `b` can (safely) be removed"
        j = i - 1
        modal = False
        while j >= 0 and tokens[j][0] == 'word' and (
                tokens[j][1] in _MODALS or _NOUN_RE.fullmatch(
                    tokens[j][1]) or tokens[j][1] in (
                    'be', 'also', 'safely', 'simply', 'just', 'is', 'are',
                    'been', 'probably', 'then')):
            modal = modal or tokens[j][1] in _MODALS
            j -= 1
        # ("`x` is simply deleted" tells what happens; "`x` can be
        # deleted" asks for it.)
        if modal and j >= 0 and j < i - 1 and tokens[j][0] == 'code':
            found.extend(_subject_run(tokens, j))
    return list(dict.fromkeys(found))


# "... in `f`" / "... inside the f method" right after a rename.
_RENAME_SCOPE_RE = re.compile(
    r'\s*,?\s*(?:only\s+)?(?:in|inside|within)\s+(?:the\s+)?'
    r'(?:(?:method|function|helper|def)\s+)?(?:' + PH +
    r'|([A-Za-z_]\w*))', re.I)


def _rename_scope(masked, codes, end, test_text):
    """The def a rename is limited to ("rename a to b in `f`"), or None.

    Only a def the test has (``def f(`` in ``test_text``) is a scope; "in
    the test file" or a file name is not.
    """
    m = _RENAME_SCOPE_RE.match(masked, end)
    if not m:
        return None
    name = name_of(codes[int(m.group(1))]) if m.group(1) else m.group(2)
    name = (name or '').rsplit('.', 1)[-1]
    if name and test_text and re.search(
            r'\bdef %s ?\(' % re.escape(name), test_text):
        return name
    return None


def _rename_changes(masked, codes, line_at, unparsed, test_text=''):
    """``[(offset, change)]`` for the renames of one prose block.

    A def named right after the rename limits it to that def.
    """
    out = []
    seen = set()
    # (offset, index) of every code span that names something.
    named = [(p.start(), int(p.group(1))) for p in re.finditer(PH, masked)
             if name_of(codes[int(p.group(1))])]
    offsets = [off for off, _ in named]
    for regex, explicit in _RENAME_RES:
        for m in regex.finditer(masked):
            if explicit:
                a_index, b_index = int(m.group(1)), int(m.group(2))
            else:
                b_index = int(m.group(1))
                k = bisect.bisect_left(offsets, m.start())
                if k == 0:
                    continue
                a_index = named[k - 1][1]
            if b_index in seen:
                continue
            seen.add(b_index)
            a, b = codes[a_index], codes[b_index]
            span = model.Span(line_at(m.start()), line_at(m.end()))
            old, new = name_of(a), name_of(b)
            if (not old or not new or '.' in old or '.' in new or
                    old == new):
                unparsed.append(model.Finding(
                    model.UNPARSED_CLAIM,
                    'rename `%s` to `%s` is not a rename of one identifier'
                    % (a, b), span))
                out.append((m.start(), None))
                continue
            out.append((m.start(), _rename(
                span, old, new, _rename_scope(masked, codes, m.end(),
                                              test_text))))
    for m in _PLAIN_RENAME_RE.finditer(masked):
        old, new = m.group(1).rstrip('.'), m.group(2).rstrip('.')
        if old.startswith('self.'):
            old = old[5:]
        if new.startswith('self.'):
            new = new[5:]
        if (prose.clearly_identifier(old) and prose.clearly_identifier(new) and
                old != new):
            span = model.Span(line_at(m.start()), line_at(m.end()))
            out.append((m.start(), _rename(
                span, old, new, _rename_scope(masked, codes, m.end(),
                                              test_text))))
    return out


def _rename(span, old, new, scope):
    return model.change(
        kind=model.RENAME, span=span, old=old, new=new,
        target=scope or 'test', summary='rename %s to %s%s' % (
            old, new, ' in %s' % scope if scope else ''))


def _line_of_known_version(number, code, ref_lines, reviewed=None,
                           named=None):
    """Where "change line ``number`` to ``code``" points in the test.

    With the reviewed version's lines (``--reviewed``): where its line
    ``number`` (brought to today's helper dialect) is in the test, when it
    is there once.  Without: line ``number`` of each known upstream
    version (after porting) that the test has exactly once is a candidate,
    and so is the test's own line ``number``; the candidate closest to
    ``code`` wins (a new line replaces its closest counterpart), when it
    is clearly closer than the test's own line and alone at its score.
    ``named``: the known version the review names (by its commit): then
    only that version's line ``number`` counts, however close.
    Returns ``(line in the test, version)``, or ``(None, None)`` for the
    test's own numbering.
    """
    if not ref_lines:
        return None, None
    test = ref_lines[0]
    if reviewed is not None:
        if not 1 <= number <= len(reviewed):
            return None, None
        old = ' '.join(port_dialect(reviewed[number - 1]).split())
        found = [i + 1 for i, text in enumerate(test)
                 if old and ' '.join(text.split()) == old]
        return (found[0], 'reviewed') if len(found) == 1 else (None, None)
    want = ' '.join(port_dialect(code).split())
    own = ' '.join(test[number - 1].split()) if 1 <= number <= len(test) \
        else ''
    if own == want:
        return None, None
    by_digest = collections.defaultdict(list)
    for i, text in enumerate(test):
        by_digest[line_digest(' '.join(text.split()))].append(i + 1)
    candidates = {}
    for version, digests in sorted(
            known_versions.PORTED_LINE_DIGESTS.items()):
        if not 1 <= number <= len(digests) or named not in (None, version):
            continue
        found = by_digest.get(digests[number - 1], [])
        if len(found) == 1 and (found[0] != number or named):
            candidates.setdefault(found[0], version)
    if not candidates:
        return None, None
    if named:
        line = next(iter(candidates))
        return line, candidates[line]
    own_score = _likeness(own, want)
    scored = sorted(((_likeness(' '.join(test[line - 1].split()), want),
                      line) for line in candidates), reverse=True)
    best, line = scored[0]
    if best < 0.5 or best < own_score + 0.2 or (
            len(scored) > 1 and scored[1][0] == best):
        return None, None
    return line, candidates[line]


def _likeness(a, b):
    """How alike two lines of code are, 0 to 1."""
    if not a or not b:
        return 0.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def _reference_line(ref_lines, number, fragment):
    """Line ``number`` of the first reference holding ``fragment`` there."""
    for lines in ref_lines:
        if 1 <= number <= len(lines) and fragment in lines[number - 1]:
            return lines[number - 1]
    return None


# Nouns that make "remove the `f` call" a removal of the statements that
# call ``f``, not of ``f`` itself.
_CALL_NOUNS = frozenset(('call', 'assertion', 'check', 'statement', 'line'))


def _noun_after(masked, index):
    """The noun right after code span ``index`` ("`f` call"), or ''."""
    m = re.search('%s%d\n*%s\\s+(\\w+)' % (PH_OPEN, index, PH_CLOSE),
                  masked)
    if m and _NOUN_RE.fullmatch(m.group(1)):
        return _NOUN_RE.fullmatch(m.group(1)).group(1).lower()
    return ''


_ON_LINE_RE = re.compile(
    r'\s*(?:call|assertion|check|statement)?\s*,?\s*(?:on|at|in|from)\s+'
    r'line\s+(\d{1,6})\b', re.I)


def _named_line(masked, index, name, ref_lines):
    """N of "`name` on line N" when the test's line N holds ``name``."""
    key = re.search('%s%d\n*%s' % (PH_OPEN, index, PH_CLOSE), masked)
    m = _ON_LINE_RE.match(masked, key.end()) if key else None
    if not m or not ref_lines:
        return None
    number = int(m.group(1))
    test = ref_lines[0]
    last = name.rsplit('.', 1)[-1]
    if 1 <= number <= len(test) and re.search(
            r'\b%s\b' % re.escape(last), test[number - 1]):
        return number
    return None


def _scope_near(masked, codes, index, before=True):
    """The def a removal is about, or None.

    Named after "in"/"from" later in the sentence, else (``before``) the
    last plain name before code span ``index``.
    """
    key = re.search('%s%d\n*%s' % (PH_OPEN, index, PH_CLOSE), masked)
    if key is None:
        return None
    name, inside = _named_scope(masked, codes, key.end())
    if inside:
        return name
    if not before:
        return None
    names = [name_of(codes[int(m.group(1))]) for m in
             re.finditer(PH, masked[:key.start()])]
    names = [n for n in names if n and not keyword.iskeyword(n)]
    return names[-1].rsplit('.', 1)[-1] if names else None


def _noun_before(masked, index):
    """What the sentence calls code span ``index`` ("argument", ...)."""
    key = '%s%d' % (PH_OPEN, index)
    start = masked.find(key)
    while start >= 0 and masked[start + len(key)].isdigit():
        start = masked.find(key, start + 1)
    if start < 0:
        return ''
    window = masked[max(0, start - 80):start]
    found = _NOUN_RE.findall(window)
    return found[-1].lower() if found else ''


_P = '\ue000(\\d+)\\n*\ue001'
_ARTICLE = r'(?:(?:the|a|an|this|that)\s+)?(?:[\w-]+\s+){0,2}?'
# (regex, group of the old code, group of the new code)
_REPLACE_RES = (
    (re.compile(r'\breplac\w*\s+' + _ARTICLE + _P + r'\s+(?:with|by)\s+' +
                _ARTICLE + _P, re.I), 1, 2),
    (re.compile(r'\buse\s+' + _ARTICLE + _P + r'\s+instead\s+of\s+' +
                _ARTICLE + _P, re.I), 2, 1),
    (re.compile(r'\bchang\w*\s+' + _ARTICLE + _P + r'\s+(?:to|into)\s+' +
                _ARTICLE + _P, re.I), 1, 2),
)
_SCOPE_RE = re.compile(
    r'\b(?:in|inside|within|of|from)\b[^\ue000.]{0,40}?' + _P, re.I)


# "In finish_resize, use ..." / "In `finish_resize`, ...": where, first.
_LEADING_SCOPE_RE = re.compile(
    r'^\W*(?:in|inside|within)\s+(?:the\s+)?(?:' + _P +
    r'|([A-Za-z_]\w*))\s*(?:method|function|helper)?\s*,', re.I)


def _named_scope(masked, codes, pos):
    """``(def name or None, match)`` of "in/of/from `f`" after ``pos``."""
    where = _SCOPE_RE.search(masked, pos)
    if not where:
        return None, None
    name = name_of(codes[int(where.group(1))])
    return (name.rsplit('.', 1)[-1] if name else None), where


_PHRASE_RE = re.compile(
    r'^[^.;:\ue000]{0,40}?\b(?:in|inside|within)\s+the\s+'
    r'((?:[a-z][\w-]*\s+){0,3}[a-z][\w-]*)', re.I)
_PHRASE_STOP = frozenset(('the', 'test', 'method', 'code', 'file', 'line',
                          'statement', 'call', 'and', 'with', 'of', 'for'))


def _phrase_line(rest, old, test_lines):
    """The line of the test holding ``old`` that "in the <phrase>" names.

    Every line holding ``old`` is scored by the phrase's words it contains
    (a word matches an identifier or string beginning with its first four
    letters: "request" matches ``req``); the line with the best score, if
    it is the only one, else None.
    """
    m = _PHRASE_RE.match(rest)
    if not m or not test_lines:
        return None
    words = [w.lower()[:4] for w in m.group(1).split()
             if len(w) > 2 and w.lower() not in _PHRASE_STOP]
    if not words:
        return None
    want = ' '.join(old.split())
    scored = []
    for number, text in enumerate(test_lines, 1):
        if want not in ' '.join(text.split()) or text.strip().startswith('#'):
            continue
        tokens = [t.lower() for t in re.findall(r'[A-Za-z]+', text)]
        score = sum(1 for w in words if any(t.startswith(w[:3]) and
                                            w.startswith(t[:4])
                                            for t in tokens))
        scored.append((score, number))
    if not scored:
        return None
    best = max(score for score, _n in scored)
    top = [n for score, n in scored if score == best]
    return top[0] if best > 0 and len(top) == 1 else None


def _line_of_statement(spans, old, new, test_lines):
    """The line of the test holding ``old`` that a full statement rewrites.

    ``spans``: the code spans of the sentence.  A span that is one
    statement holding ``new`` is compared, with ``new`` put back to
    ``old``, with every test line holding ``old``; the closest line, when
    it is clearly closest.  None otherwise.
    """
    want_old = ' '.join(old.split())
    holders = [(n, ' '.join(text.split())) for n, text in
               enumerate(test_lines, 1) if want_old in ' '.join(text.split())
               and not text.strip().startswith('#')]
    if len(holders) < 2:
        return None
    for span in spans:
        key = ' '.join(span.split())
        if ' '.join(new.split()) not in key or key == ' '.join(new.split()) \
                or len(logical_lines(span)) != 1 or \
                texts.parse_python(span) is None:
            continue
        back = key.replace(' '.join(new.split()), want_old)
        scored = sorted(((_likeness(text, back), n) for n, text in holders),
                        reverse=True)
        if scored[0][0] >= 0.6 and scored[0][0] - scored[1][0] >= 0.1:
            return scored[0][1]
    return None


def _replace_changes(masked, codes, span, test_text='', nova_paths=(),
                     test_lines=()):
    """``replace A with B`` / ``use B instead of A`` / ``change A to B``.

    A code span after "in"/"inside"/"within" later in the sentence (or a
    leading "In f, ...") names where (a def); without one the whole test
    is meant.  When ``A`` is not in the test and the review names one nova
    file, the replacement is made in that file.
    """
    changes = []
    lead = _LEADING_SCOPE_RE.match(masked)
    lead_scope = None
    if lead:
        lead_scope = name_of(codes[int(lead.group(1))]) if lead.group(1) \
            else (lead.group(2) if prose.clearly_identifier(
                lead.group(2) or '') else None)
    for regex, g_old, g_new in _REPLACE_RES:
        for m in regex.finditer(masked):
            old = codes[int(m.group(g_old))].strip()
            new = codes[int(m.group(g_new))].strip()
            if not old or old == new:
                continue
            scope = lead_scope
            named, where = _named_scope(masked, codes, m.end())
            if where:
                scope = named
                if scope and re.search(r'\bcall', where.group(0), re.I):
                    # "in the call to `f`": the call sites, not the def.
                    scope = 'call:' + scope
            if scope and '.' in scope:
                scope = scope.rsplit('.', 1)[1]
            if not scope:
                # "replace A with B in the resize request": the one line
                # of the test holding A that the phrase describes; "use B
                # instead of A, i.e. `<statement>`": the line the
                # statement given in full is the new form of.
                line = _phrase_line(masked[m.end():], old, test_lines) or \
                    _line_of_statement(
                        [codes[int(i)] for i in re.findall(PH, masked)],
                        old, new, test_lines)
                scope = 'line:%d' % line if line else None
            target = scope or 'test'
            if len(nova_paths) == 1 and test_text and \
                    ' '.join(old.split()) not in test_text:
                target = '%s:%s' % (nova_paths[0], scope or '')
            changes.append(model.change(
                kind=model.REPLACE, span=span, old=old, new=new,
                target=target,
                summary='replace %s with %s%s' % (
                    texts.short(old, 40), texts.short(new, 40),
                    ' in %s' % scope if scope else '')))
    return changes


_INSERT_RE = re.compile(
    r'\b(?:add|insert|put|place)\w*\s+' + _ARTICLE + _P +
    r'\s+(?:(?:right|just|immediately|directly)\s+)?(after|before)\s+'
    r'(?:the\s+(?:call|line|statement|assignment)\s+(?:to|of|that\s+calls)'
    r'\s+)?' + _ARTICLE + _P, re.I)
_INSERT_FIRST_RE = re.compile(
    r'\b(after|before)\s+(?:the\s+(?:call|line|statement|assignment)\s+'
    r'(?:to|of|that\s+calls)\s+)?' + _ARTICLE + _P + r'\s*,?\s+(?:add|insert)'
    r'\w*\s+' + _ARTICLE + _P, re.I)


def _insert_changes(masked, codes, span):
    """``add X after/before Y [in Z]`` (and ``after Y, add X``).

    ``X`` must be statements; ``Y`` a statement of the test or the name of
    a function whose call is the anchor.  A code span after "in" names the
    def; without one the whole test is searched (the anchor must be
    unique).
    """
    found = []
    for m in _INSERT_RE.finditer(masked):
        found.append((m, int(m.group(1)), m.group(2).lower(),
                      int(m.group(3))))
    for m in _INSERT_FIRST_RE.finditer(masked):
        found.append((m, int(m.group(3)), m.group(1).lower(),
                      int(m.group(2))))
    changes = []
    for m, what, where, anchor in found:
        code, anchor_code = codes[what].strip(), codes[anchor].strip()
        if not code or texts.parse_python(code) is None or not anchor_code:
            continue
        scope, _ = _named_scope(masked, codes, m.end())
        changes.append(model.change(
            kind=model.INSERT, span=span, code=code, anchor=anchor_code,
            where=where, target=scope or 'test',
            summary='add %s %s %s%s' % (
                texts.short(code, 40), where, texts.short(anchor_code, 40),
                ' in %s' % scope if scope else '')))
    return changes


# What prose is read against: the reference sources' lines (the test's
# first), the reviewed version's lines (``--reviewed``) or None, the nova
# files the review names, and the test's text with whitespace collapsed.
Refs = collections.namedtuple(
    'Refs', 'lines reviewed nova_paths test_text named_version')
_COMMIT_RE = re.compile(r'\b[0-9a-f]{7,40}\b')


def named_version(text):
    """The known upstream version whose commit the review names, or None."""
    found = set()
    for m in _COMMIT_RE.finditer(text or ''):
        for version, commit in known_versions.COMMITS.items():
            if commit.startswith(m.group(0)):
                found.add(version)
    return found.pop() if len(found) == 1 else None


def _refs(parsed, reference_sources):
    sources = {name: src for name, src in (reference_sources or {}).items()
               if isinstance(src, str)}
    lines = [src.split('\n') for _, src in sorted(
        sources.items(), key=lambda kv: (kv[0] != 'test', kv[0] !=
                                         'reviewed', kv[0]))]
    reviewed = sources['reviewed'].split('\n') if 'reviewed' in sources \
        else None
    test_text = ' '.join(sources.get('test', '').split())
    return Refs(lines, reviewed, tuple(sorted(set(
        _NOVA_PATH_RE.findall(parsed.text)))), test_text,
        named_version(parsed.text))


def _sentence_changes(masked, codes, span, renamed, refs, unparsed):
    """Line changes, replacements and removals asked for by one sentence."""
    ref_lines, test_text = refs.lines, refs.test_text
    # "In line N, replace A with B" is a line change (below), not a
    # replacement throughout the test.
    changes = [] if any(regex.search(masked) for regex, _g in
                        _LINE_SUBST_RES) else _replace_changes(
        masked, codes, span, test_text, refs.nova_paths,
        ref_lines[0] if ref_lines else ())
    changes.extend(_insert_changes(masked, codes, span))
    replaced = {c.old for c in changes if c.kind == model.REPLACE}
    for regex in _LINE_CHANGE_RES:
        for m in regex.finditer(masked):
            line = int(m.group(1))
            code = port_dialect(_strip_own_number(codes[int(m.group(2))],
                                                  line))
            here, version = _line_of_known_version(
                line, code, ref_lines, refs.reviewed, refs.named_version)
            changes.append(model.change(
                kind=model.LINE_CHANGE, span=span, code=code,
                line=here or line, summary='replace line %d%s' % (
                    line, '' if not here else
                    ' of the reviewed version (line %d here)' % here
                    if version == 'reviewed' else
                    ' of upstream\'s %s version (line %d here)'
                    % (version, here))))
    for m in _LINE_RANGE_CHANGE_RE.finditer(masked):
        first, end = int(m.group(1)), int(m.group(2))
        changes.extend(_line_changes(
            first, end, port_dialect(
                _strip_own_number(codes[int(m.group(3))], first)),
            span, 'replace lines %d-%d' % (first, end)))
    for regex, (g_line, g_old, g_new) in _LINE_SUBST_RES:
        for m in regex.finditer(masked):
            line = int(m.group(g_line))
            old = codes[int(m.group(g_old))]
            new = codes[int(m.group(g_new))]
            original = _reference_line(ref_lines, line, old)
            if original is None:
                unparsed.append(model.Finding(
                    model.UNPARSED_CLAIM,
                    '`%s` is not on line %d of any reference source, so '
                    '"replace it with `%s`" cannot be applied' %
                    (old, line, new), span))
                continue
            changes.append(model.change(
                kind=model.LINE_CHANGE, span=span, old=original,
                code=original.replace(old, new, 1), line=line,
                summary='on line %d replace %s with %s' %
                (line, texts.short(old, 40), texts.short(new, 40))))
    for regex in _LINE_REMOVE_RES:
        for m in regex.finditer(masked):
            first = int(m.group(1))
            end = int(m.group(2)) if m.group(2) else first
            if not first <= end <= first + _MAX_LINE_RANGE:
                end = first
            for n in range(first, end + 1):
                changes.append(model.change(
                    kind=model.REMOVE, span=span, line=n,
                    summary='remove line %d' % n))
    unused = unused_names(masked)
    for index in _removed_codes(masked):
        content = codes[index]
        if content.strip() in replaced:
            continue
        if keyword.iskeyword(content.strip()):
            # "remove the `return` at the end of `f`"
            changes.append(model.change(
                kind=model.REMOVE, span=span, old=content.strip(),
                target=_scope_near(masked, codes, index) or 'test',
                unit=model.KEYWORD,
                summary='remove the %s statement' % content.strip()))
            continue
        name = name_of(content)
        if name:
            if name in renamed:
                continue
            line = _named_line(masked, index, name, ref_lines)
            if line:
                # "delete the assertEqual on line 55": that line.
                changes.append(model.change(
                    kind=model.REMOVE, span=span, line=line,
                    summary='remove line %d (%s)' % (line, name)))
                continue
            noun = _noun_after(masked, index) or _noun_before(masked, index)
            scope = _scope_near(masked, codes, index, before=False)
            changes.append(model.change(
                kind=model.REMOVE, span=span, old=name,
                target=scope or 'test',
                unit=model.CALLS if noun in _CALL_NOUNS else '',
                summary=' '.join(w for w in (
                    'remove', 'unused' if index in unused else '', noun,
                    name) if w)))
        elif (re.search(r'[(=]', content) or _STATEMENT_KEYWORD.match(
                content)) and texts.parse_python(content) is not None:
            changes.append(model.change(
                kind=model.REMOVE, span=span, old=content.strip(),
                summary='remove statement %s' % texts.short(content, 60)))
    if not changes and _INLINE_PROPOSAL_CUE.search(masked) and \
            not _LINE_REF_RE.search(masked):
        # ("Line 84 `...`: ..." describes code; it proposes nothing.)
        changes.extend(_inline_proposals(masked, codes, span, test_text))
    if _ADD_CUE.search(masked) and not _LINE_REF_RE.search(masked):
        changes.extend(_inline_imports(masked, codes, span, test_text))
    return changes


_ADD_CUE = re.compile(r'\b(?:add|insert|include)(?:s|ed|ing)?\b', re.I)


def _inline_imports(masked, codes, span, test_text):
    """Import statements an "add" sentence gives inline.

    "Add `import os` at the top": snippets, which add imports where
    imports go.
    """
    found = []
    for m in re.finditer(PH, masked):
        code = codes[int(m.group(1))].strip()
        if not re.match(r'(?:import|from)\s', code) or \
                ' '.join(code.split()) in test_text or \
                is_quotation(code, ()):
            continue
        tree = texts.parse_python(code)
        if tree is None or not all(isinstance(node, (ast.Import,
                                                     ast.ImportFrom))
                                   for node in tree.body):
            continue
        found.append(model.change(
            kind=model.TEST_SNIPPET, span=span, code=code + '\n',
            summary='add %s' % texts.short(code, 60)))
    return found


# A sentence presenting inline code as the better form: "the check reads
# better as `...`", "prefer `...`", "should be `...`".
_INLINE_PROPOSAL_CUE = re.compile(
    r'\b(?:better|prefer\w*|clearer|instead|should|must|use|read\s+as|'
    r'becomes?|rewrit\w*|replac\w*|chang\w*)\b', re.I)


def _inline_proposals(masked, codes, span, test_text):
    """Single statements in inline code that a sentence proposes.

    A span is a proposal when it is a whole statement with a call or an
    assignment that the test does not already contain (it is then no
    quotation); it is anchored to its closest counterpart like any
    snippet.
    """
    found = []
    for m in re.finditer(PH, masked):
        code = codes[int(m.group(1))].strip()
        if '\n' in code or not re.search(r'[(=]', code) or \
                texts.parse_python(code) is None or name_of(code):
            continue
        try:
            tree = ast.parse(code)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        if len(tree.body) != 1 or not isinstance(
                tree.body[0], (ast.Expr, ast.Assign, ast.AugAssign,
                               ast.Assert, ast.Return)) or (
                isinstance(tree.body[0], ast.Expr) and
                not isinstance(tree.body[0].value, ast.Call)):
            continue
        if ' '.join(port_dialect(code).split()) in test_text or \
                is_quotation(code, ()):
            # Already in the test, or a line of an upstream version: a
            # quotation, not a proposal.
            continue
        found.append(model.change(
            kind=model.TEST_SNIPPET, span=span,
            code=port_dialect(code) + '\n',
            summary='inline statement %s' % texts.short(code, 60)))
    return found


def _refers(masked, codes):
    """Whether a sentence names code: a line number or a code span."""
    if _LINE_REF_RE.search(masked):
        return True
    return any(name_of(codes[int(x)]) or re.search(r'[(=]', codes[int(x)])
               for x in re.findall(PH, masked))


# A request: a modal or a suggestion ...
_REQUEST_RE = re.compile(
    r"\b(?:should|must|needs?\s+to|has\s+to|have\s+to|ought\s+to|"
    r"can\s+be|could\s+be|could\s+\w+|would\s+be\s+(?:better|clearer|"
    r"more|preferable|nicer|safer)|recommend\w*|suggest\w*|"
    r"consider(?:ing)?|prefer\w*|please|instead\s+of|i'?d|i\s+would|"
    r"let'?s|why\s+not|better\s+to|worth\s+\w+ing|propos\w*|"
    r"want\s+to|shall)\b", re.I)
# ... or an imperative opening the sentence (after a label or a bullet).
_IMPERATIVE_RE = re.compile(
    r"^\W*(?:(?:[\w -]{1,30}\s*:\s*)|(?:\*\*[^*]{1,60}\*\*\W*))?"
    r"(?:please\s+|just\s+|also\s+|then\s+)?(?:replace|rename|remove|"
    r"delete|drop|change|update|fix|move|add|insert|swap|use|make|avoid|"
    r"split|merge|wrap|inline|extract|reorder|switch|turn|convert|"
    r"simplify|tighten|loosen|check|assert|pass|set|call|keep|rewrite|"
    r"put|wait)\b", re.I)


def _claim_like(masked, codes, referred_before=False):
    """Whether a sentence asks for a change to named code.

    A sentence such as "It should be moved" counts when an earlier sentence
    of its block named the code.
    """
    if _DESCRIPTION_RE.match(masked):
        return False
    plain = _NEGATED_USE.sub(' ', masked)
    if not _CUE_RE.search(plain):
        return False
    if not (_REQUEST_RE.search(plain) or _IMPERATIVE_RE.match(plain)):
        # "Before the fix, finish_resize reverted the allocations": a
        # description, not a request.
        return False
    if referred_before and _ANAPHORA_RE.match(masked):
        return True
    if _LINE_REF_RE.search(masked):
        return True
    return any(name_of(codes[int(x)]) or re.search(r'[(=]', codes[int(x)])
               for x in re.findall(PH, masked))


def normalised_references(reference_sources):
    return list(_normalised_references(tuple(
        src for src in (reference_sources or {}).values()
        if isinstance(src, str))))


@functools.lru_cache(maxsize=16)
def _normalised_references(sources):
    # The same few reference texts come with every review: work them out
    # once.  Callers get a fresh list; the items are not modified.
    return tuple(comparable_lines(src) for src in sources)


def extract(parsed, reference_sources):
    """``(changes, findings)`` for a :class:`~model.ParsedReview`."""
    findings = [model.Finding(model.INPUT_ERROR, e) for e in parsed.errors]
    refs_norm = normalised_references(reference_sources)
    refs = _refs(parsed, reference_sources)
    blocks = parsed.blocks
    changes = []
    covered = set()
    proposals = skipped = 0
    last_quote = None
    for k, block in enumerate(blocks):
        if block.kind not in ('fence', 'listing'):
            continue
        if block.kind == 'listing' and block.info == 'inline':
            continue
        if proposals >= MAX_CODE_PROPOSALS:
            skipped += 1
            continue
        intro = _introduction(blocks, k)
        test_source = (reference_sources or {}).get('test') or ''
        made = _code_changes(block, intro, refs_norm, findings, test_source,
                             blocks[k + 1] if k + 1 < len(blocks) else None,
                             refs)
        if last_quote is not None and len(made) == 1:
            made = [_rewrite_of_quotation(
                blocks[last_quote], made[0], test_source,
                _joined(blocks, last_quote, k))]
        last_quote = k if not made and is_quotation(
            block.text, refs_norm) else None
        proposals += len(made)
        changes.extend(made)
        if made and k + 1 < len(blocks) and blocks[k + 1].kind == 'prose' \
                and _CONTINUED_INSTEAD_RE.match(
                    prose.mask_code(blocks[k + 1].text)[0]):
            covered.add(k + 1)
        if intro[0] or made:
            # The prose leading up to a fix is what the fix carries out.
            j = k - 1
            while j >= 0 and (blocks[j].kind == 'prose' or (
                    blocks[j].kind == 'listing' and
                    blocks[j].info == 'inline')):
                covered.add(j)
                j -= 1
    if skipped:
        findings.append(model.Finding(
            model.UNPARSED_CLAIM,
            '%d code block(s) after the first %d proposals were not read'
            % (skipped, MAX_CODE_PROPOSALS)))
    for index, block in enumerate(blocks):
        if block.kind == 'prose':
            changes.extend(_block_prose(block, index in covered, findings,
                                        refs, prose.is_plain_text(parsed)))
    changes.sort(key=lambda c: c.span.start)
    if len(changes) > MAX_CHANGES:
        findings.append(model.Finding(
            model.UNPARSED_CLAIM,
            '%d changes beyond the first %d were dropped' %
            (len(changes) - MAX_CHANGES, MAX_CHANGES),
            changes[MAX_CHANGES].span))
        del changes[MAX_CHANGES:]
    return changes, cap_findings(findings)


def cap_findings(findings, limit=MAX_FINDINGS_PER_KIND):
    """Keep at most ``limit`` findings of each kind.

    One more finding of the kind says how many were left out.
    """
    counts = collections.Counter()
    out = []
    for f in findings:
        counts[f.kind] += 1
        if counts[f.kind] <= limit:
            out.append(f)
    for kind, n in sorted(counts.items()):
        if n > limit:
            out.append(model.Finding(
                kind, '%d more %s findings not listed' % (n - limit, kind)))
    return out


def _block_prose(block, covered, findings, refs, plain=False):
    """Changes (and unparsed-claim findings) from one prose block."""
    masked, codes = prose.mask_code(block.text, plain)
    line_at = prose.line_counter(masked, block.span.start)
    bounds = prose.split(masked)
    unparsed = []
    renames = _rename_changes(masked, codes, line_at, unparsed,
                              refs.test_text)
    changes = [c for _, c in renames if c is not None]
    rename_offsets = sorted(off for off, _ in renames)
    renamed = set()
    for c in changes:
        renamed.update((c.old, c.new))
    referred = False
    for start, end in bounds:
        piece = masked[start:end]
        if not piece.strip():
            continue
        span = model.Span(line_at(start),
                          line_at(start + len(piece.rstrip())))
        before = len(unparsed)
        made = _sentence_changes(piece, codes, span, renamed, refs,
                                 unparsed)
        changes.extend(made)
        k = bisect.bisect_left(rename_offsets, start)
        got = (made or len(unparsed) > before or
               (k < len(rename_offsets) and rename_offsets[k] < end))
        if not got and not covered and (
                _claim_like(piece, codes, referred) or
                _VAGUE_REQUEST_RE.search(piece)):
            unparsed.append(model.Finding(
                model.UNPARSED_CLAIM,
                PROSE_CLAIM + ' %s' % texts.short(
                    prose.unmask(piece, codes), 200), span))
        referred = not got and (referred or _refers(piece, codes))
    findings.extend(unparsed)
    return changes

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


"""The lexicon of the reading: every pattern and word list, in one place.

Patterns over *masked* prose (code spans replaced by numbered
placeholders, :data:`..read.prose.PH`), grouped by what they recognise:
block languages, fix introductions, line directives, renames, removals,
replacements and insertions, requests and descriptions.  Nothing here
runs; the rules that use them live in :mod:`.rules`, :mod:`.fixes` and
:mod:`.renaming`.
"""

import re

from nova_resize_checks.review import model
from nova_resize_checks.review.read import prose


# The tokens of a masked sentence: a code span's placeholder (group
# ``code``: its number), a word, a number or one punctuation mark.
TOKEN_RE = re.compile(prose.named_ph('code') + r"""
    | [A-Za-z_][\w'-]*          # a word: "don't", "nova-manage"
    | \d+
    | [^\s\w]
    """, re.X)
PY_LANGS = frozenset(('python', 'py', 'python3', 'py3', 'python2',
                      'pycon', 'ipython', 'sage'))
DIFF_LANGS = frozenset(('diff', 'patch', 'udiff', 'git-diff'))
# (A GitHub ``suggestion`` block holds the lines as they should read, in
# the file's language: its content decides.)
TEXT_LANGS = frozenset(('', 'text', 'txt', 'plain', 'plaintext', 'code',
                        'none', 'nohighlight', 'output', 'suggestion'))
SHELL_WORDS = frozenset((
    'sudo', 'pip', 'pip3', 'tox', 'git', 'nova-manage', 'openstack',
    'curl', 'cd', 'export', 'apt', 'apt-get', 'yum', 'dnf', 'systemctl',
    'stestr', 'bash', 'sh', 'ls', 'cat', 'echo', 'nova', 'placement',
    'service', 'mysql', 'rm', 'mkdir', 'chmod', 'kill', 'wget'))
FIX_RE = re.compile(r"""
    \b(?:
      fix(?:ed|es|ing)? | correct(?:ed|ion|ions)? | updated | improved
      | revised | rewritten | modified | amended | adjusted
      | suggested | suggestion | proposed | proposal | recommended
      | should\s+(?:look|be|read|become)
      | (?:could|would|might)\s+(?:look|be|read)
      | change\s+(?:it|this|that|them|the\s+\w+)\s+to
      # "I'd simplify to", "shorten it to", "rewrite this as"
      | (?:simplif\w* | shorten\w* | tighten\w* | rewrit\w*)
        \s+(?:it\s+|this\s+|that\s+)?(?:to|as|into)
      # "replace X with", within one sentence and line
      | replac(?:e|ed|ing)\b[^.\n]{0,80}?\b(?:with|by)
      | replacement | instead | as\s+follows | patch(?:ed)? | new\s+version
      | refactor\w* | try\s+this | becomes | solution | workaround
    )\b""", re.I | re.X)
QUOTE_RE = re.compile(r"""
    \b(?:
      original | current(?:ly)? | existing | in\s+question | as\s+written
      | quoted? | excerpt
      | here\s+is\s+the\s+(?:relevant\s+)?(?:code|test|snippet|part)
      | the\s+(?:code|test)\s+(?:is|reads|does|has|contains|looks\s+like)
      | looks\s+like\s+this | at\s+the\s+moment | right\s+now
      | under\s+review
    )\b""", re.I | re.X)
# "... which should replace the current one": a fix for the code QUOTE_RE
# names, not a quotation of it.
REPLACES_CURRENT_RE = re.compile(r"""
    \b(?:replac\w* | supersed\w* | in\s+place\s+of | instead\s+of)\s+
    (?:the\s+|this\s+)?
    (?:current|existing|original)\b""", re.I | re.X)
LINE_INTRO_RES = (
    # "Change lines 92-94 to:"
    re.compile(r"""
        \b(?:change|replace|update|modify|rewrite|amend)\s+lines?\s+
        (?P<first>\d{1,6})
        (?:\s*(?:-|\u2013|to|through)\s*(?P<end>\d{1,6}))?
        (?:\s+(?:to|with|by|as|into)\b)?
        [^\w\ue000]*$           # nothing but punctuation to the end
        """, re.I | re.X),
    # "Lines 92-94 should read:"
    re.compile(r"""
        \blines?\s+(?P<first>\d{1,6})
        (?:\s*(?:-|\u2013|to|through)\s*(?P<end>\d{1,6}))?
        \s+(?:[\w-]+\s+){0,2}?
        (?:should|must|needs\s+to)\s+(?:be|read|become|look\s+like)\b
        (?:\s+(?:changed|updated)\s+to | \s+replaced\s+(?:with|by))?
        [^\w\ue000]*$
        """, re.I | re.X),
    # The same request in the other languages reviews come in: "Remplacer
    # les lignes 92 à 94 par :", "Reemplazar las líneas 92 a 94 por:",
    # "Zeilen 92 bis 94 ersetzen durch:", "Substituir as linhas 92-94 por:",
    # "Sostituire le righe 92-94 con:".
    re.compile(r"""
        \b(?:rempla\w* | modifi\w* | reemplaz\w* | sustitu\w* | cambi\w*
           | ersetz\w* | \u00e4nder\w* | substitu\w* | alter\w*
           | sostitu\w*)\s+
        (?:(?:les|las|los|die|as|os|le|i)\s+)?
        (?:lignes? | l\u00edneas? | Zeilen? | linhas? | righe | riga)\s+
        (?P<first>\d{1,6})
        (?:\s*(?:-|\u2013|\u00e0|a|bis|at\u00e9|al)\s*(?P<end>\d{1,6}))?
        (?:\s+(?:par|por|con|durch|mit|com|per)\b)?
        [^\w\ue000]*$
        """, re.I | re.X),
    re.compile(r"""
        \b(?:lignes? | l\u00edneas? | Zeilen? | linhas? | righe | riga)\s+
        (?P<first>\d{1,6})
        (?:\s*(?:-|\u2013|\u00e0|a|bis|at\u00e9|al)\s*(?P<end>\d{1,6}))?
        \s+(?:\w+\s+){0,2}?
        (?:rempla\w* | reemplaz\w* | sustitu\w* | ersetz\w* | substitu\w*
           | sostitu\w*)\w*
        (?:\s+(?:par|por|con|durch|mit|com|per))?
        [^\w\ue000]*$
        """, re.I | re.X),
    # Polish, Dutch and Russian: "Proponuje zmienic linie 94 na:",
    # "Vervang regel 94 door:", "Zamenite stroku 94 na:".
    re.compile(r"""
        \b(?:zmie[n\u0144]\w* | zamie[n\u0144]\w* | podmie[n\u0144]\w*
           | wijzig\w* | vervang\w* | verander\w*
           | \u0437\u0430\u043c\u0435\u043d\w*
           | \u0438\u0437\u043c\u0435\u043d\w*)
        \s+(?:(?:de|het)\s+)?
        (?:lini[e\u0119i]\w* | wiersz\w* | regels?
           | \u0441\u0442\u0440\u043e\u043a\w*)
        \s+(?P<first>\d{1,6})
        (?:\s*(?:-|\u2013|do|tot|t/m|\u043f\u043e)\s*(?P<end>\d{1,6}))?
        (?:\s+(?:na|in|naar|door|\u043d\u0430)\b)?[^\w\ue000]*$""",
               re.I | re.X),
    # Chinese and Japanese: "将第 92-94 行替换为：", "92〜94 行目を次に置き換え".
    re.compile(r"""
        \u7b2c?\s*(?P<first>\d{1,6})\s*                # (第) 92
        (?:[-\u2013~\u301c\uff5e\u81f3\u5230]\s*        # -, ~, 至, 到
           (?P<end>\d{1,6}))?
        \s*\u884c\u76ee?                               # 行, 行目
        [^\n\ue000]{0,12}?
        (?:\u66ff\u6362 | \u7f6e\u304d\u63db\u3048 | \u66f8\u304d\u63db\u3048
           | \u6539\u4e3a | \u6539\u6210)               # replace, change to
        """, re.X),
)
LINE_CHANGE_RES = (
    # "change line 94 to `X`"
    re.compile(r"""
        \b(?:change|replace|update|modify|rewrite|set)\s+line\s+
        (?P<line>\d{1,6})\s*(?:to|with|by|into|as)\s*:?\s*
        """ + prose.named_ph('code'), re.I | re.X),
    # "line 94 should be `X`"
    re.compile(r"""
        \bline\s+(?P<line>\d{1,6})\s+(?:[\w-]+\s+){0,2}?
        (?:should|must|needs\s+to|has\s+to|ought\s+to)\s+
        (?:instead\s+)?(?:be|read|become|say)
        (?:\s+(?:changed|updated)\s+to | \s+replaced\s+(?:with|by))?
        \s*:?\s*
        """ + prose.named_ph('code'), re.I | re.X),
    # Gerrit-style inline comments: "Line 74: this should be `X`?",
    # "PS3, Line 60: nit: use `X`" (the reviewed version's numbering).
    re.compile(r"""
        (?:\bline\s+|\bL)(?P<line>\d{1,6})\s*:\s*
        (?:(?:nit|question|suggestion|q)\s*:\s*)?      # a label
        (?:[^\n.!?\ue000]{0,80}?\s)?                   # words before the cue
        (?:
          (?:should|could|must|would)\s+(?:this|it|that|we)?\s*
          (?:(?:probably|rather|instead|just)\s+)?
          (?:be|read|become|say|use)
          (?:\s+changed\s+to | \s+replaced\s+(?:with|by))?
          | (?:please\s+)?(?:use|prefer)
          | why\s+not(?:\s+use)?
          | how\s+about
          | -> | => | \u2192
        )\s*:?\s*
        """ + prose.named_ph('code'), re.I | re.X),
    # "L94: `self.assertTrue(x)` is enough here" (the new form first).
    re.compile(r"""
        (?:\bline\s+|\bL)(?P<line>\d{1,6})\s*:\s*
        (?:(?:nit|suggestion)\s*:\s*)?
        """ + prose.named_ph('code') + r"""
        \s+(?:is|would\s+be)\s+
        (?:enough|sufficient|simpler|cleaner|clearer|better)\b
        """, re.I | re.X),
)
# A gerrit inline comment's header ("Line 60:", "Lines 72-74:", "PS3, Line
# 60:") opens its paragraph; a request in it that points at "these lines"
# ("I'd replace these three lines with:") means the lines of the header.
COMMENT_HEADER_RE = re.compile(r"""
    ^[\ \t]*
    (?:[*_\#]+[\ \t]*)?                      # markup: "**", "### "
    (?:PS\s*\d+\s*,\s*)?                    # the patch set: "PS3, "
    (?:Lines?\s+|L(?=\d))(?P<first>\d{1,6})
    (?:\s*(?:-|\u2013|to)\s*L?(?P<end>\d{1,6}))?
    [*_]*                                   # closing markup
    (?:[\ \t]*\((?:[^()\n]|\([^()\n]*\)){0,200}\))?   # "(`f(x)`)"
    [*_]*
    \s*:""", re.I | re.M | re.X)
# A removal that names no code: "please drop the assertion", "remove
# this", "drop the assertEqual", "this check can go"; its object is the
# comment's line(s), never another noun ("drop the argument" is not one);
# and what negates one ("don't remove it", "keep").  A verbose fragment.
_DEICTIC_OBJECT = r"""(?:
      # "it", "this", "that" or "them" ending the clause
      (?:it|this|that|them)
      (?=\s*(?:[.,;:!?)] | $
               | \s+(?:as|since|because|entirely|altogether|please|too
                      |then|and|but)\b))
      # "the assertion", "these two checks"
      | (?:the|this|that|these|those)\s+(?:\w+\s+)?
        (?:assert\w*|assertions?|checks?|lines?|statements?)
    )"""
# An ordinal pointing into the quotation before a removal: "the second
# one can go", "Bigarrena kendu daiteke", "Yung pangalawa ... tanggalin".
# Each group is the statement it points at: first, second, third, last
# (and "the former", "the latter").  English needs its article ("First,
# remove ..." orders the review, it points at nothing).
ORDINAL_RES = (
    (0, re.compile(r"""
        \bthe\s+(?:first|former)\b(?!\s+(?:two|three|four|few|couple|\d))
        | \b(?:erste[nrs]?|premi[e\u00e8]re?|primer[oa]?|prim[oa]|eerste
             |f\u00f6rsta|f\u00f8rste|ensimm\u00e4inen|pierwsz\w+|prvn\w+
             |\u043f\u0435\u0440\u0432\w+|\u03c0\u03c1\u03ce\u03c4\w+
             |birinci|lehenengo\w*|pertama|unang)\b""", re.I | re.X)),
    (1, re.compile(r"""
        \bthe\s+second\b
        | \b(?:zweite[nrs]?|deuxi\u00e8me|seconde?|segund[oa]|second[oa]
             |tweede|andra|anden|toinen|drug[aiy]\w*|druh[\u00e1\u00fd]\w*
             |\u0432\u0442\u043e\u0440\w+|\u03b4\u03b5\u03cd\u03c4\u03b5\u03c1\w+
             |ikinci|pangalawa|ikalawa|bigarren\w*|kedua)\b""", re.I | re.X)),
    (2, re.compile(r"""
        \bthe\s+third\b
        | \b(?:dritte[nrs]?|troisi\u00e8me|tercer[oa]?|terz[oa]|derde|tredje
             |kolmas|trzeci\w*|t\u0159et\w+|\u0442\u0440\u0435\u0442\w+
             |\u00fc\u00e7\u00fcnc\u00fc|pangatlo|ikatlo|hirugarren\w*|ketiga)\b
        """, re.I | re.X)),
    (-1, re.compile(r"""
        \bthe\s+(?:last|latter)\b(?!\s+(?:two|three|four|few|couple|\d))
        | \b(?:letzte[nrs]?|derni\u00e8re?|\u00faltim[oa]|ultim[oa]|laatste
             |sista|sidste|siste|viimeinen|ostatni\w*|posledn\w+
             |\u043f\u043e\u0441\u043b\u0435\u0434\u043d\w+
             |\u03c4\u03b5\u03bb\u03b5\u03c5\u03c4\u03b1\u03af\w+
             |azken\w*|terakhir)\b""", re.I | re.X)),
)
DEICTIC_REMOVE_RE = re.compile(r"""
    \b(?:remov|delet|drop|strik)\w*\s+""" + _DEICTIC_OBJECT + r"""
    | \bget\s+rid\s+of\s+""" + _DEICTIC_OBJECT + r"""
    # "this check can go", "it should be removed"
    | \b(?:it | this | that | they
           | (?:this|that|these|those|the)\s+(?:\w+\s+)?
             (?:assert\w*|assertions?|checks?|lines?|statements?))
      \s+(?:\w+\s+)?(?:can|could|should|may)\s+(?:\w+\s+)?
      (?:be\s+(?:removed|deleted|dropped)|go)\b
    """, re.I | re.M | re.X)
# A sentence in a gerrit comment offering inline code as the new form of
# the comment's line: "`X` is all we need here", "`X` would do", "why not
# `X`?", "use `X` instead".
HEADER_PROPOSAL_RE = re.compile(r"""
    \bis\s+(?:all\s+(?:we|you|it|one)\s+needs?|enough|sufficient|simpler
             |cleaner|clearer|better)\b
    | \bwould\s+(?:do|suffice|be\s+(?:enough|better|simpler|cleaner|clearer))\b
    | \bsuffices?\b | \bwhy\s+not\b | \bhow\s+about\b | \binstead\b
    | \bprefer\w*\b | \buse\b
    | \b(?:should|could|must)\s+(?:just\s+|rather\s+)?(?:be|read|become)\b
    """, re.I | re.X)
# A literal offered for the commented line: "Should this be 'host1'?",
# "this should be 'host1'", "did you mean `'host1'`?".
HEADER_LITERAL_RE = re.compile(r"""
    \b(?: should(?:n't|\s+not)?\s+(?:this|it|that)\s+(?:be|read)
        | (?:this|it|that)\s+should\s+(?:be|read)
        | did\s+you\s+mean )
    \s+(?P<literal>'[^'\n]{1,80}' | "[^"\n]{1,80}" | \d{1,9}\b)
    """, re.I | re.X)
# What makes a sentence say the opposite ("no need for `X`", "don't use").
NEGATED_PROPOSAL_RE = re.compile(
    r"\b(?:not | n't | never | no\s+need | rather\s+than | instead\s+of)\b",
    re.I | re.X)
NEGATED_REMOVE_RE = re.compile(
    r"(?:\bnot | n't | \bnever | \bkeep | \bwithout)\b", re.I | re.X)
# "replace these lines with:", "change the above statements to:"
DEICTIC_LINES_RE = re.compile(r"""
    \b(?:change|replace|rewrite|swap|turn|update)\s+
    (?:these|those|this|that|the\s+above)\s+(?:\w+\s+)?
    (?:lines?|statements?|assertions?|checks?)\b
    (?:\s+(?:with|to|by|into|for))?
    [^\w\ue000]*$           # nothing but punctuation to the end
    """, re.I | re.X)
# "replace lines 84 to 87 with `...`": the first line becomes the code,
# the others go.
LINE_RANGE_CHANGE_RE = re.compile(r"""
    \b(?:change|replace|update|modify|rewrite)\s+lines\s+
    (?P<first>\d{1,6})\s*(?:-|\u2013|to|through)\s*(?P<end>\d{1,6})
    \s*(?:to|with|by|into|as)\s*:?\s*
    """ + prose.named_ph('code'), re.I | re.X)
LINE_SUBST_RES = (
    # "on line 94, change `a` to `b`"
    re.compile(r"""
        \b(?:in|on|at)\s+line\s+(?P<line>\d{1,6})\s*,?\s+
        (?:[\w-]+\s+){0,4}?(?:change|replace|swap)\s+
        """ + prose.named_ph('old') + r"""
        \s+(?:to|with|by|for)\s+
        """ + prose.named_ph('new'), re.I | re.X),
    # "change `a` to `b` on line 94"
    re.compile(r"""
        \b(?:change|replace|swap)\s+""" + prose.named_ph('old') + r"""
        \s+(?:to|with|by|for)\s+""" + prose.named_ph('new') + r"""
        \s+(?:in|on|at)\s+line\s+(?P<line>\d{1,6})
        """, re.I | re.X),
)
LINE_REMOVE_RES = (
    # "remove lines 84-85"
    re.compile(r"""
        \b(?:remov|delet|drop)\w*\s+(?:the\s+)?lines?\s+
        (?P<first>\d{1,6})
        (?:\s*(?:-|\u2013|to|through|and)\s*(?P<end>\d{1,6}))?
        """, re.I | re.X),
    # "lines 84 and 85 can be removed", "line 87 (and its comment on
    # line 86) should be removed": a parenthetical aside is skipped
    re.compile(r"""
        \blines?\s+(?P<first>\d{1,6})
        (?:\s*(?:-|\u2013|to|through|and)\s*(?P<end>\d{1,6}))?
        (?:\s*\([^()\n]{0,80}\))?
        \s+(?:[\w-]+\s+){0,3}?(?:removed|deleted|dropped)\b
        """, re.I | re.X),
)
# A verbose fragment: what may come between "rename `A` to" and `B`.
_SOMETHING_LIKE = r"""(?:
      (?:something|a\s+name|a\s+more\s+\w+\s+name)\s+(?:like|such\s+as)\s+
      | e\.g\.,?\s+ | simply\s+ | just\s+
    )?"""
# Renames, with ``explicit`` (whether the old name is a group): groups
# ``old`` and ``new``, the placeholders of the code spans.
RENAME_RES = (
    # rename `A` to `B`
    (re.compile(r"""
        \brenam(?:e|ing)\s+(?:(?:the|a|this|that)\s+)?(?:[\w-]+\s+){0,2}?
        """ + prose.named_ph('old') + r"""
        \s*,?\s+(?:to|as|into|with)\s+
        """ + _SOMETHING_LIKE + prose.named_ph('new'), re.I | re.X), True),
    # `A` should be renamed to `B`
    (re.compile(prose.named_ph('old') + r"""
        [\s,]+(?:[\w()-]+\s+){0,5}?renamed\s+(?:to|as|into)\s+
        """ + _SOMETHING_LIKE + prose.named_ph('new'), re.I | re.X), True),
    # It should be renamed to `B`  (A: the name mentioned before)
    (re.compile(r"""
        \b(?:it|this|they|that|which)\s+(?:[\w-]+\s+){0,3}?renamed\s+
        (?:to|as|into)\s+
        """ + _SOMETHING_LIKE + prose.named_ph('new'), re.I | re.X), False),
    # Terse forms: "Rename: `A` to `B`", "nit: `A` -> `B`", "`A` -> `B`
    # would read better".
    (re.compile(r"""
        \b(?:nit|renam\w*|naming)\b[^\n\ue000]{0,40}?
        """ + prose.named_ph('old') + r"""
        \s*(?:->|=>|\u2192|\bto\b)\s*
        """ + prose.named_ph('new'), re.I | re.X), True),
    (re.compile(prose.named_ph('old') + r"""
        \s*(?:->|=>|\u2192)\s*
        """ + prose.named_ph('new') + r"""
        (?=[^\n.]{0,60}?\b(?:name|clear|read|descriptive|explicit)\w*)
        """, re.I | re.X), True),
)
# "rename foo to bar" with bare names: groups ``old`` and ``new``.
PLAIN_RENAME_RE = re.compile(r"""
    \brename\s+(?:(?:the|a)\s+(?:[\w-]+\s+)?)?
    (?<![\w\ue000])             # a whole name, not the end of a span
    (?P<old>[A-Za-z_][\w.]*)
    \s+(?:to|as)\s+
    (?P<new>[A-Za-z_][\w.]*)
    """, re.I | re.X)
CUE_RE = re.compile(r"""
    \b(?:
      should | must | needs?\s+to | has\s+to | can\s+be | could\s+be
      | would\s+be\s+(?:better|clearer|more|preferable)
      | recommend\w* | i\s+suggest
      | suggest(?:ed)?\s+(?:to|that|using|adding|removing|changing
                          |renaming|replacing)
      | consider(?:ing)? | instead\s+of
      # verbs of changing
      | replac\w* | renam\w* | remov\w* | delet\w* | chang(?:e|ed|ing)
      | drop(?:ped|ping)? | eliminat\w* | get\s+rid\s+of
      | updat(?:e|ed|ing) | fix(?:ed|ing)? | mov(?:e|ed|ing) | add(?:ed|ing)?
      | swap\w* | use
    )\b""", re.I | re.X)
# A request for a change that names no code: a modal with "be" and a
# participle of changing ("should be made idempotent"), "consider
# <verb>ing", "deserves to".  Predictions ("should pass", "should be
# empty") are not requests.
VAGUE_REQUEST_RE = re.compile(r"""
    \b(?:should|must|needs?\s+to|ought\s+to)\s+(?:also\s+|really\s+)?be\s+
    (?:made|changed|moved|extracted|refactored|parametri[sz]ed|split
       |rewritten|reworked|simplified|generali[sz]ed|hardened|updated
       |fixed|replaced|removed|guarded|protected)\b
    | \bconsider\s+\w+ing\b
    | \bdeserves?\s+to\b
    # "Could we also cover a resize to the same host?"
    | \b(?:could|can|should|shall)\s+(?:we|you)\s+(?:please\s+)?
      (?:also\s+)?(?:cover|test|add|check|assert|verify|exercise|include)\b
    # "the waits should have an explicit upper bound"
    | \b(?:should|must|needs?\s+to|ought\s+to)\s+(?:also\s+)?
      (?:have|carry|get|gain|include|use)\s+(?:an?|its|their|some|one)\b
    """, re.I | re.X)
LINE_REF_RE = re.compile(r'\blines?\s+\d{1,6}\b', re.I | re.X)
# Two readings offered for the reader to choose ("drop one of them:
# either the assertEqual on 55 or the one on 60"): a claim, never a change
# the tool may pick for the writer.
ALTERNATIVES_RE = re.compile(r"""
    \beither\b[^.;!?\n]{1,200}?\bor\b
    | \b(?:one|either)\s+of\s+(?:them|these|those|the\s+two|both)\b
    """, re.I | re.X)
# "lines 93-94", "line 60", "L60-L61": the lines a review comment is on.
LINE_PLACE_RE = re.compile(r"""
    (?:\blines?\s+|\bL(?=\d))(?P<first>\d{1,6})
    (?:\s*(?:-|\u2013|to)\s*L?(?P<end>\d{1,6}))?\b
    """, re.I | re.X)
# "Please remove it", "drop that": a removal whose object points back.
IMPERATIVE_ANAPHORIC_REMOVE_RE = re.compile(r"""
    ^\W*(?:please\s+|so\s+|just\s+|i'?d\s+)?
    (?:remove|drop|delete)\s+(?:it|this|that)\b
    """, re.I | re.X)
# "does not use", "never calls": a statement about the code, not a cue.
NEGATED_USE = re.compile(r"""
    \b(?:not|never|n't|no\s+longer)\s+(?:\w+\s+)?
    (?:use[sd]?|call[sd]?|need[sd]?|add[sd]?|change[sd]?|update[sd]?)\b
    """, re.I | re.X)
# "This line ...", "`x`: the comment ...": a sentence about the code.
DESCRIPTION_RE = re.compile(r"""
    [\W\d]*
    (?:\ue000\d+\n*\ue001[\s:]*)?           # a code span first
    (?:this|these|the)\s+(?:line|lines|comment|statement)\b
    """, re.I | re.X)
ANAPHORA_RE = re.compile(r'\W*(?:it|this|they|these|that)\b', re.I | re.X)
# "It can be removed", "This check should go": a removal whose object is
# the code the sentence before named.
ANAPHORIC_REMOVE_RE = re.compile(r"""
    ^\W*(?:it|this|that)
    (?:\s+(?:check|assertion|assert|line|statement|call|lookup))?
    \s+(?:can|could|should|may|must)\s+(?:safely\s+|simply\s+|just\s+)?
    (?:be\s+(?:safely\s+|simply\s+)?(?:removed|dropped|deleted)|go)\b
    """, re.I | re.X)
NOVA_PATH_RE = re.compile(r'\b(?P<path>nova/[\w./-]*\.py)\b', re.X)
REMOVE_WORDS = frozenset(('remove', 'removed', 'removing', 'delete',
                          'deleted', 'deleting', 'drop', 'dropped',
                          'dropping', 'eliminate', 'eliminated'))
REMOVE_IMPERATIVE = frozenset(('remove', 'removing', 'delete', 'deleting',
                               'drop', 'dropping', 'eliminate'))
UNUSED_WORDS = frozenset(('unused', 'unnecessary', 'redundant',
                          'superfluous', 'obsolete'))
LOCATION_WORDS = frozenset(('of', 'in', 'from', 'by', 'inside', 'within',
                            'because', 'since', 'but', 'while', 'when',
                            'to', 'into', 'for', 'with', 'than', 'at',
                            'on', 'after', 'before', 'if', 'unless'))
# A noun for code (group ``noun``: without its plural ending).
NOUN_RE = re.compile(r"""
    \b(?P<noun>argument|parameter|param|variable|attribute|method|function
       |helper|import|class|assertion|call|constant|field|statement|line
       |check|comparison)
    (?:s|es)?\b
    """, re.I | re.X)
OWNER_WORDS = frozenset(('of', 'in', 'from', 'inside', 'within'))
LIST_JOIN_WORDS = frozenset(('and', 'or', 'such', 'as', 'like', 'e', 'g',
                             'the', 'both', 'also', 'well', 'including'))
# A line of code that opens with a statement keyword.
STATEMENT_KEYWORD = re.compile(r"""
    \s*(?:return|assert|raise|del|pass|import|from|if|for|while|with
          |try|break|continue|yield|global|nonlocal)\b
    """, re.X)
MODALS = frozenset(('can', 'could', 'should', 'must', 'may', 'might'))
MAX_LINE_RANGE = 200
MAX_FINDINGS_PER_KIND = 100
# A review proposing more changes than this is not a review; the rest are
# dropped with a finding.
MAX_CHANGES = 20000
# How findings for prose that reads like a request but became no change
# begin.
PROSE_CLAIM = model.PROSE_CLAIM
# Code blocks read as proposals per review: every one becomes a version of
# the test to edit (and perhaps run), so a review with thousands of blocks
# is read up to here and the rest reported.
MAX_CODE_PROPOSALS = 100
# "to go at the end of the test method:", "at the start of `setUp`:"
END_INTRO_RE = re.compile(r"""
    \b(?:at|to)\s+the\s+(?P<where>end|bottom|start|beginning|top)\s+
    of\s+(?:the\s+)?
    (?:
      (?P<test>test)(?:\s+(?:method|body|case))?\b     # the test method
      | """ + prose.named_ph('code') + r"""            # a def named inline
    )""", re.I | re.X)
# The place above says where the block goes only when the introduction
# asks for it to be put there ("add this at the end of the test:", "At the
# end of `setUp`, ...", "... at the top of the test:").  A place that
# qualifies a noun ("the assertion at the end of the test is the one that
# matters:") describes the test and places nothing.
PLACE_DIRECTIVE_RE = re.compile(r"""
    \b(?:add|append|put|place|insert|include|go|goes|move|tack|stick
         |prepend|extend)(?:s|ed|ing)?\b
    """, re.I | re.X)
# "add this after line 85:", "before L60", "nach Zeile 85", "第 85 行之后":
# a block put next to a line, in the numbering of the version reviewed.
# Named groups: ``where`` (a word of LINE_PLACE_AFTER, or one meaning
# before), ``first`` and ``end`` (a range: after its end, before its
# start).
_RANGE = (r'(?P<first>\d{1,6})(?:\s*'
          r'(?:-|\u2013|to|bis|\u00e0|a|\u81f3|\u5230)\s*(?P<end>\d{1,6}))?')
LINE_PLACE_RES = tuple(re.compile(pattern, re.I | re.X) for pattern in (
    # English: "after line 85", "below lines 84-85", "before L60"
    r'\b(?P<where>after|below|under|following|before|above)\s+'
    r'(?:the\s+)?(?:lines?\s*|L)' + _RANGE + r'\b',
    # German, French, Spanish, Portuguese, Italian, Russian
    r'\b(?P<where>nach|hinter|unter|vor|apr\u00e8s|avant|'
    r'despu\u00e9s\s+de|tras|antes\s+de|ap\u00f3s|depois\s+d[aeo]|'
    r'dopo|prima\s+d[ie]|\u043f\u043e\u0441\u043b\u0435|'
    r'\u043f\u0435\u0440\u0435\u0434)\s+'
    r'(?:(?:der|la|a|el|il|le)\s+)?(?:Zeilen?|lignes?|l\u00edneas?|'
    r'linhas?|rig(?:a|he)|\u0441\u0442\u0440\u043e\u043a\w*)\s*' + _RANGE,
    # Chinese: "第 85 行之后" / "85 行后面"; Japanese: "85行目の後"
    r'\u7b2c?\s*' + _RANGE + r'\s*\u884c\u76ee?\s*\u306e?\s*'
    r'(?P<where>\u4e4b\u540e|\u4e4b\u5f8c|\u540e\u9762|\u540e|\u5f8c|'
    r'\u3042\u3068|\u4e4b\u524d|\u524d\u9762|\u524d)',
    # Dutch, Polish, Swedish, Czech, Indonesian, Vietnamese: "na regel
    # 85", "przed lini\u0105 85", "efter rad 85", "setelah baris 85"
    r'\b(?P<where>na|voor|po|przed|efter|f\u00f6re|za|p\u0159ed|setelah'
    r'|sebelum|sau|tr\u01b0\u1edbc)\s+(?:(?:de|het)\s+)?'
    r'(?:regels?|lini[ia\u0105\u0119]|rad(?:erna|en)?|\u0159\u00e1d\w*'
    r'|baris|d\u00f2ng)\s*' + _RANGE,
    # Korean: "78\ubc88\uc9f8 \uc904 \uc55e\uc5d0"; Turkish: "78. sat\u0131rdan
    # \u00f6nce"
    _RANGE + r'\s*(?:\ubc88\uc9f8\s*)?(?:\uc904|\ud589)\s*'
    r'(?P<where>\uc55e|\ub4a4|\ub2e4\uc74c|\uc774\uc804|\uc704|\uc544\ub798)',
    _RANGE + r'\.?\s*sat\u0131r\w*\s+(?P<where>\u00f6nce|sonra)',
))
# "add this after `self.assertEqual(no_usage, source_rp_usages)`:",
# "nach `X` einfügen", "après `X`", "`X` の後に": a block put next to a
# statement the review quotes inline.  Named groups: ``where`` (a word of
# LINE_PLACE_BEFORE or one meaning after) and ``code`` (the placeholder's
# number).
STATEMENT_PLACE_RES = tuple(re.compile(pattern, re.I | re.X) for pattern in (
    # English, German, French, Spanish, Portuguese, Italian, Dutch,
    # Polish, Russian
    r"""\b(?P<where>after|below|under|following|before|above|right\s+after
           |nach|hinter|vor|apr\u00e8s|avant|despu\u00e9s\s+de|tras
           |antes\s+de|ap\u00f3s|depois\s+d[aeo]|dopo|prima\s+d[ie]|voor
           |po|przed|\u043f\u043e\u0441\u043b\u0435|\u043f\u0435\u0440\u0435\u0434)
        \s+(?:(?:the|der|dem|la|le|el|il|lo|o|a|de)\s+)?
        (?:(?:existing|current|line|statement|assertion|check|call|Zeile
           |ligne|l\u00ednea|linha|riga)\s+){0,2}""" + prose.PH.replace(
        '(\\d+)', '(?P<code>\\d+)'),
    # Chinese and Japanese: the place follows the code
    prose.PH.replace('(\\d+)', '(?P<code>\\d+)') +
    r"""\s*(?:\u8fd9\u884c|\u8fd9\u53e5|\u884c|\u6587)?\s*\u306e?\s*
        (?P<where>\u4e4b\u540e|\u4e4b\u5f8c|\u540e\u9762|\u540e|\u5f8c|\u3042\u3068
           |\u4e4b\u524d|\u524d\u9762|\u524d)""",
))
LINE_PLACE_BEFORE = frozenset((
    'before', 'above', 'vor', 'avant', 'antes de', 'prima di', 'prima de',
    '\u043f\u0435\u0440\u0435\u0434', '\u4e4b\u524d', '\u524d\u9762',
    '\u524d', 'voor', 'przed', 'f\u00f6re', 'p\u0159ed', 'sebelum',
    'tr\u01b0\u1edbc', '\uc55e', '\uc774\uc804', '\uc704', '\u00f6nce'))
# Requests in the languages reviews are most often written in besides
# English: modals, imperatives and "please" (German, French, Spanish,
# Italian, Portuguese, Dutch, Russian, Chinese, Japanese, Korean).  The
# code around such a request decides what changes; a request with no
# code the reading can use is an unparsed claim, never a silent no-fix.
FOREIGN_REQUEST_RE = re.compile(r"""
    \b(?:
      # German
      sollte[n]? | m\u00fcss(?:en|te) | bitte | ersetz(?:en|e)
      | entfern(?:en|e) | \u00e4nder(?:n|e) | umbenenn(?:en|e) | empfehle
      | hinzuf\u00fcgen
      | erg\u00e4nz(?:en|e)
      # French
      | devrai(?:t|ent) | doi(?:t|vent) | il\s+faut | il\s+faudrait
      | rempla[c\u00e7](?:er|ez) | supprim(?:er|ez) | renomm(?:er|ez)
      | veuillez | ajout(?:er|ez) | je\s+(?:propose|sugg\u00e8re)
      # Spanish
      | deber\u00eda[n]? | debe[n]? | hay\s+que | reemplaz(?:ar|a|e)
      | elimin(?:ar|e) | cambi(?:ar|e) | renombr(?:ar|e) | por\s+favor
      | a\u00f1ad(?:ir|e|a) | agreg(?:ar|a|ue) | sugiero | propongo
      # Italian
      | dovrebbe | sostitui(?:re|sci) | rimuov(?:ere|i) | aggiung(?:ere|i)
      | bisogna | andrebbe | suggerisco | propongo
      # Portuguese
      | deveria | substitu(?:ir|a) | remov(?:er|a) | adicion(?:ar|e)
      | acrescent(?:ar|e) | sugiro | propo(?:nho|mos|r) | troc(?:ar|ar\w+|e)
      # Dutch
      | zou\s+moeten | vervang(?:en)? | verwijder(?:en)? | graag
      | toevoegen | voeg
      # Polish
      | nale\u017cy | prosz\u0119 | powin(?:ien|na|no|ny) | trzeba | warto
      | dodaj | usu\u0144 | zamie\u0144
      # Russian: modals, "please", and the imperative in -\u0442\u0435
      # (\u0434\u043e\u0431\u0430\u0432\u044c\u0442\u0435,
      # \u0437\u0430\u043c\u0435\u043d\u0438\u0442\u0435,
      # \u0443\u0434\u0430\u043b\u0438\u0442\u0435)
      | \u0441\u043b\u0435\u0434\u0443\u0435\u0442
      | \u0441\u043b\u0435\u0434\u043e\u0432\u0430\u043b\u043e
      | \u043d\u0443\u0436\u043d\u043e | \u043d\u0430\u0434\u043e
      | \u043d\u0435\u043e\u0431\u0445\u043e\u0434\u0438\u043c\u043e
      | \u0441\u0442\u043e\u0438\u0442 | \u0441\u0442\u043e\u0438\u043b\u043e
      | \u043f\u043e\u0436\u0430\u043b\u0443\u0439\u0441\u0442\u0430
      | \u0437\u0430\u043c\u0435\u043d\u0438\u0442\u044c
      | \u0443\u0434\u0430\u043b\u0438\u0442\u044c
      | \u0434\u043e\u0431\u0430\u0432\u0438\u0442\u044c
      | \w+(?:\u044c\u0442\u0435|\u0439\u0442\u0435)
      | (?:\u0437\u0430\u043c\u0435\u043d | \u0443\u0434\u0430\u043b
         | \u0443\u0431\u0435\u0440 | \u0438\u0437\u043c\u0435\u043d
         | \u0441\u0440\u0430\u0432\u043d | \u0432\u044b\u043d\u0435\u0441
         | \u0440\u0430\u0437\u0434\u0435\u043b)\u0438\u0442\u0435
      # Ukrainian: should, worth, needed, please, the imperative in
      # -\u0456\u0442\u044c
      | \u0441\u043b\u0456\u0434 | \u0432\u0430\u0440\u0442\u043e
      | \u043f\u043e\u0442\u0440\u0456\u0431\u043d\u043e
      | \u0431\u0443\u0434\u044c\s+\u043b\u0430\u0441\u043a\u0430
      | \w+\u0456\u0442\u044c
      # Swedish
      | borde | b\u00f6r | m\u00e5ste | l\u00e4gg\s+till | ta\s+bort
      | ers\u00e4tt | v\u00e4nligen | g\u00e4rna
      # Czech
      | pros\u00edm | m\u011bl[aoy]?\s+by | nahra\u010fte | odstra\u0148te
      | p\u0159idejte | doporu\u010duji
      # Romanian: should, must, would become, replace, remove, please,
      # I suggest
      | ar\s+trebui | trebuie | ar\s+deveni | \u00eenlocui\w*
      | elimina\u021bi | v\u0103\s+rog | sugerez | propun
      # Finnish: should, ought to, worth it, I suggest, replace, remove
      | pit\u00e4isi | tulisi | kannattaisi | kannattaa | ehdotan
      | korvaa | poista
      # Indonesian
      | tolong | mohon | sebaiknya | harap | hapus(?:lah)? | tambahkan
      | ganti(?:lah)?
      # Turkish: please, should (-mal\u0131/-meli), I suggest, imperatives
      | l\u00fctfen
      | \w+(?:mal\u0131|meli)(?:d\u0131r|dir|s\u0131n\u0131z|siniz)?
      | \u00f6neririm | de\u011fi\u015ftirin | kald\u0131r\u0131n | ekleyin
      # Vietnamese: please, suggest (not bare n\u00ean/c\u1ea7n, which
      # also say "so" and "need" in a description)
      | h\u00e3y | vui\s+l\u00f2ng | \u0111\u1ec1\s+ngh\u1ecb
      | (?:n\u00ean|c\u1ea7n)\s+
        (?:thay|x\u00f3a|xo\u00e1|th\u00eam|b\u1ecf|\u0111\u1ed5i)
      # Norwegian and Danish: should, please, I suggest, replace, add
      | b\u00f8r | burde | vennligst | venligst | foresl\u00e5r
      | erstatt\w* | erstat | legg\s+til | tilf\u00f8j\w*
      # Greek: must, please, I suggest, replace
      | \u03c0\u03c1\u03ad\u03c0\u03b5\u03b9
      | \u03c0\u03b1\u03c1\u03b1\u03ba\u03b1\u03bb\u03ce
      | \u03c0\u03c1\u03bf\u03c4\u03b5\u03af\u03bd\u03c9
      | \u03b1\u03bd\u03c4\u03b9\u03ba\u03b1\u03c4\u03b1\u03c3\u03c4\w*
      # Hungarian: should, please, I suggest, replace, add
      | kellene | k\u00e9rem | javaslom | cser\u00e9l\w* | adja\s+hozz\u00e1
      # Croatian, Serbian and Bosnian (Latin and Cyrillic), Slovenian,
      # Slovak, Bulgarian: should, please, I suggest, replace
      | trebal[oa]\s+bi | trebao\s+bi | treba | molim | predla\u017eem
      | promijen\w* | promen\w*
      | zamijen\w* | zamen\w* | bi\s+moral\w* | prosim | predlagam
      | zamenjaj\w* | mal[ao]?\s+by | navrhujem | nahra\u010f\w*
      | \u0442\u0440\u0435\u0431\u0430\u043b\u043e
      | \u043c\u043e\u043b\u0438\u043c
      | \u043f\u0440\u0435\u0434\u043b\u0430\u0436\u0435\u043c
      | \u0442\u0440\u044f\u0431\u0432\u0430 | \u043c\u043e\u043b\u044f
      | \u043f\u0440\u0435\u0434\u043b\u0430\u0433\u0430\u043c
      # Lithuanian, Latvian, Estonian: should, please, I suggest, replace
      | tur\u0117t\u0173 | reik\u0117t\u0173 | pra\u0161om\w* | si\u016blau
      | pakeisk\w* | vajadz\u0113tu | l\u016bdzu | iesaku | aizst\u0101j\w*
      | palun | soovitan | asenda\w*
      # Catalan, Galician, Basque: should, please, I suggest, replace, add
      | hauria | caldria | si\s+us\s+plau | proposo | suggereixo
      | afegi\w* | engad\w* | beharko\s+litzateke | mesedez | ordezk\w*
      | gehitu
      # Welsh: should, please, suggestion, put in place of, add, delete
      | dylai | dylid | dylech | os\s+gwelwch\s+yn\s+dda | awgrym\w*
      | yn\s+lle | ychwaneg\w* | dileu
      # Albanian: must, it would be good, please, I propose, replace, add,
      # remove
      | duhet | do\s+t\u00eb\s+ishte\s+mir\u00eb | ju\s+lutem | propozoj
      | sugjeroj | z\u00ebvend\u00ebso\w* | shtoni | hiqni
      # Icelandic, Afrikaans: should, please, I propose, replace, remove
      | \u00e6tti | vinsamlegast | skipta\s+\u00fat | fjarl\u00e6g\w*
      | behoort | asseblief | stel\s+voor | verwyder\w*
      # Swahili, Malay, Tagalog: should, please, I suggest, replace, remove
      | inapaswa | inafaa | tafadhali | napendekeza | ondoa | badilisha
      | ongeza | sila | sepatutnya | patut | cadang\w* | tukar\w*
      | pakiusap | palitan | iminumungkahi | idagdag
    )\b
    # Hebrew: one has to <verb> (not "he has": a pronoun suffix), it is
    # worth; Persian and Urdu: must, please, suggestion; Thai: should,
    # please, recommend; Bengali: should, please
    | \u05d9\u05e9\s+\u05dc(?!(?:\u05d5|\u05d4|\u05e0\u05d5|\u05d4\u05dd
                               |\u05d4\u05df|\u05da|\u05db\u05dd|\u05d9)\b)\w{2,}
    | \u05db\u05d3\u05d0\u05d9
    | \u0628\u0627\u06cc\u062f | \u0644\u0637\u0641\u0627
    | \u067e\u06cc\u0634\u0646\u0647\u0627\u062f
    | \u0686\u0627\u06c1\u06cc\u06d2
    | \u0e04\u0e27\u0e23 | \u0e01\u0e23\u0e38\u0e13\u0e32
    | \u0e41\u0e19\u0e30\u0e19\u0e33
    | \u0989\u099a\u09bf\u09a4 | \u0985\u09a8\u09c1\u0997\u09cd\u09b0\u09b9
    # Hindi: please, should; Arabic: must, should, please, I suggest
    | \u0915\u0943\u092a\u092f\u093e | \u091a\u093e\u0939\u093f\u090f
    | \u064a\u062c\u0628 | \u064a\u0646\u0628\u063a\u064a
    | \u064a\u0631\u062c\u0649
    | \u0645\u0646\s+\u0641\u0636\u0644\u0643 | \u0623\u0642\u062a\u0631\u062d
    # Hebrew: one has to (replace, remove, delete, change), please,
    # recommended
    | \b(?:\u05d9\u05e9\s+\u05dc
         (?:\u05d4\u05d7\u05dc\u05d9\u05e3 | \u05d4\u05e1\u05d9\u05e8
          | \u05de\u05d7\u05d5\u05e7 | \u05e9\u05e0\u05d5\u05ea)
         | \u05d0\u05e0\u05d0 | \u05de\u05d5\u05de\u05dc\u05e5)\b
    # Chinese: should, suggest, please, why not; replace, delete,
    # remove, change to, rename
    | \u5e94\u8be5 | \u5e94\u5f53 | \u5efa\u8bae | \u8bf7 | \u4e0d\u59a8
    | \u66ff\u6362 | \u5220\u9664 | \u79fb\u9664 | \u6539\u4e3a | \u6539\u6210
    | \u91cd\u547d\u540d
    # Japanese: the request forms (\u3079\u304d,
    # \u3066\u304f\u3060\u3055\u3044, \u307b\u3046\u304c\u3044\u3044,
    # \u304a\u9858\u3044, \u63a8\u5968, \u5fc5\u8981\u304c\u3042\u308b); a noun
    # such as \u4fee\u6b63 or \u5909\u66f4 alone
    # describes ("\u4fee\u6b63\u524d", "\u5909\u66f4\u70b9") and asks for
    # nothing
    | \u3079\u304d | \u304f\u3060\u3055\u3044 | \u4e0b\u3055\u3044
    | (?:\u307b\u3046|\u65b9)\u304c
      (?:\u826f|\u3044\u3044|\u3088\u3044|\u671b\u307e\u3057)
    | \u304a\u9858\u3044 | \u63a8\u5968 | \u5fc5\u8981\u304c\u3042
    | \u307e\u3057\u3087\u3046 | \u671b\u307e\u3057\u3044
    | \u524a\u9664 | \u7f6e\u304d\u63db\u3048
    # Korean: must do (-eo-ya / -a-ya / -hae-ya, but not after iss-, i-
    # or doe-: "it must be empty" predicts, it does not ask), please
    # (ju-se-yo, -sip-si-o, ba-rap-ni-da), would be good (jo-ket), needed
    # (pil-yo), recommend, change, remove, add
    | (?<!\uc788)(?<!\uc774)(?<!\ub418)(?:\uc5b4\uc57c|\uc544\uc57c)
    | \ud574\uc57c | \uc8fc\uc138\uc694
    | \ud558\uc138\uc694 | \uc2ed\uc2dc\uc624
    | \ubc14\ub78d\ub2c8\ub2e4 | \uc88b\uaca0 | \ud544\uc694 | \uad8c\uc7a5
    | \ubc14\uafb8 | \uc81c\uac70 | \ucd94\uac00\ud558
    """, re.I | re.X)
# "add" in the languages of FOREIGN_REQUEST_RE: a block of new assertions
# introduced with one is added like "Please also add:".
FOREIGN_ADD_RE = re.compile(r"""
    \b(?:hinzuf\u00fcg\w* | f\u00fcg\w*\s+\w*\s*hinzu | erg\u00e4nz\w*
    | ajout\w*
      | a\u00f1ad\w* | agreg\w* | aggiung\w* | adicion\w* | acrescent\w*
      | toevoeg\w* | voeg\w* | doda\w* | \u0434\u043e\u0431\u0430\u0432\w*
      # Vietnamese, Swedish, Turkish, Czech, Indonesian, Romanian,
      # Ukrainian, Hebrew
      | th\u00eam | l\u00e4gg\w*\s+till | ekle\w* | p\u0159idej\w*
      | tambah\w* | ad\u0103ug\w* | \u0434\u043e\u0434\u0430\w*
      | \u05d4\u05d5\u05e1\u05e3 | \u05dc\u05d4\u05d5\u05e1\u05d9\u05e3
      # Norwegian and Danish, Greek, Hungarian, Slovak, Lithuanian,
      # Latvian, Catalan, Galician, Basque, Welsh, Albanian, Icelandic,
      # Swahili, Tagalog
      | legg\w*\s+til | tilf\u00f8\w* | \u03c0\u03c1\u03bf\u03c3\u03b8\w*
      | hozz\u00e1ad\w* | adja\s+hozz\u00e1 | pridaj\w* | prid\u0117\w*
      | pievieno\w* | afegi\w* | engad\w* | gehitu | ychwaneg\w*
      | shto\w* | b\u00e6t\w*\s+vi\u00f0 | ongeza | idagdag)\b
    # Thai, Persian, Bengali: add
    | \u0e40\u0e1e\u0e34\u0e48\u0e21 | \u0627\u0636\u0627\u0641\u0647
    | \u09af\u09cb\u0997
    | \u6dfb\u52a0 | \u589e\u52a0 | \u52a0\u4e0a | \u8ffd\u52a0 | \ucd94\uac00
    # Hindi: add (jodein); Arabic: add
    | \u091c\u094b\u0921\u093c | \u0623\u0636\u0641
    """, re.I | re.X)
# Removal requests in other languages ("このアサーションは削除してください",
# "supprimez cette assertion", "bitte entfernen"), and what negates one
# ("削除しないで", "ne supprimez pas", "nicht entfernen"): a negated request
# removes nothing.
FOREIGN_REMOVE_RE = re.compile(r"""
    # Japanese, Chinese, Korean: delete, remove
    \u524a\u9664 | \u5220\u9664 | \u53bb\u6389 | \u79fb\u9664
    | \u53d6\u308a\u9664 | \uc0ad\uc81c | \uc81c\uac70
    # French, Spanish, German, Portuguese, Italian, Russian
    | \b(?:supprim\w* | retir(?:er|ez|ar|e|a)\b
         | elimin(?:ar|e|a|ez|er|are|i)\b | borr(?:ar|e|a)\b | entfern\w*
         | streich\w* | l\u00f6sch\w* | remov(?:a|er|am)\b | rimuov\w*
         | \u0443\u0434\u0430\u043b\w*
    # Polish, Dutch, Turkish, Vietnamese, Swedish
         | usu[n\u0144]\w* | verwijder\w* | kald\u0131r\w* | x\u00f3a
         | xo\u00e1 | ta\s+bort)
    # Arabic: delete, remove; Hindi: remove (hata-)
    | \u0627\u062d\u0630\u0641 | \u0623\u0632\u0644
    | \u0625\u0632\u0627\u0644\u0629 | \u0939\u091f\u093e
    # Hebrew: to remove, to delete, remove!, delete!
    | \b(?:\u05dc\u05d4\u05e1\u05d9\u05e8 | \u05dc\u05de\u05d7\u05d5\u05e7
         | \u05d4\u05e1\u05e8 | \u05de\u05d7\u05e7)\b
    # Greek, Norwegian and Danish, Croatian and Serbian, Lithuanian,
    # Estonian, Tagalog, Slovak and Czech, Indonesian and Malay,
    # Hungarian, Catalan and Spanish, Finnish, Romanian: remove, delete
    | \u03b1\u03c6\u03b1\u03b9\u03c1\w* | \u03b4\u03b9\u03b1\u03b3\u03c1\w*
    | \b(?:fjern\w* | slett\w* | slet(?:te|tes)? | uklon\w* | obri[s\u0161]\w*
         | izbri[s\u0161]\w* | pa\u0161alin\w* | i\u0161trin\w* | eemald\w*
         | kustut\w* | alisin | tanggalin | burahin | odstr[a\u00e1]\w*
         | vyma[z\u017e]\w* | smaz\w* | hapus\w* | dihapus | buang\w*
         | t\u00f6r\u00f6l\w* | elt\u00e1vol\u00edt\w* | suprimi\w* | poist\w*
         | [s\u0219\u015f]ter[gs]\w*
    # Basque: remove, delete
         | kendu | kentz\w* | ezabatu | ezaba\w*
    # Welsh, Albanian, Icelandic, Latvian, Swahili, Afrikaans, Bulgarian
    # and Serbian (Cyrillic): remove, delete
         | dileu | tynnu | hiq\w* | fshi\w* | fjarl\u00e6g\w* | ey\u00f0\w*
         | no\u0146em\w* | dz\u0113s\w* | ondoa | futa | verwyder\w*
         | \u043f\u0440\u0435\u043c\u0430\u0445\u043d\w*
         | \u0438\u0437\u0442\u0440\u0438\w*
         | \u0443\u043a\u043b\u043e\u043d\w*
         | \u043e\u0431\u0440\u0438\u0448\w*)\b
    # Bengali: remove, erase
    | \u09b8\u09b0\u09be\u09a8 | \u09ae\u09c1\u099b\u09c7
    # Thai: delete, take out; Persian: delete
    | \u0e25\u0e1a | \u0e40\u0e2d\u0e32\u0e2d\u0e2d\u0e01 | \u062d\u0630\u0641
    """, re.I | re.X)
FOREIGN_NEGATION_RE = re.compile(r"""
    # Japanese, Chinese: don't, no need, can't
    \u3057\u306a\u3044 | \u3057\u306a\u3044\u3067 | \u4e0d\u8981
    | \u4e0d\u5fc5 | \u4e0d\u80fd | \u522b
    | \u5fc5\u8981\u306f\u3042\u308a\u307e\u305b\u3093
    # Korean: don't
    | \ud558\uc9c0\s*\ub9c8
    | \b(?:ne | n' | pas | no | nicht | kein\w* | n\u00e3o | non
         | \u043d\u0435 | never | not | ikke | ei | nem | tidak | jangan
         | \u00e4l\u00e4 | \u03b4\u03b5\u03bd | \u03bc\u03b7\u03bd
    # Polish and Afrikaans, Albanian, Icelandic, Welsh, Tagalog
         | nie | nuk | mos | ekki | ddim | peidiwch | huwag)\b
    # Thai: not, don't
    | \u0e44\u0e21\u0e48 | \u0e2d\u0e22\u0e48\u0e32
    """, re.I | re.X)
# "Replace the `f` and `g` calls with:"
# A placeholder whose number is not captured.
_PH_UNCAPTURED = prose.PH.replace('(\\d+)', '\\d+')
REPLACE_CALLS_INTRO_RE = re.compile(r"""
    \breplac\w*\s+(?:the\s+|both\s+)?
    (?P<calls>                  # "`f`, `g` and the `h`"
      (?:""" + _PH_UNCAPTURED + r"""
         (?:\s*,\s* | \s+and\s+ | \s+or\s+)?
         (?:the\s+)?
      )+
    )
    \s*(?:calls?|assertions?|checks?|statements?)?
    \s*(?:with|by)\b[^\ue000]*$
    """, re.I | re.X)
# "Replace that call with:", "this assertion should become:": the block
# takes the place of the statement the review quoted just before.
REPLACE_THAT_INTRO_RES = (
    # "Replace that call with:"
    re.compile(r"""
        \b(?:replac\w*|swap\w*|chang\w*|rewrit\w*)\s+
        (?:that|this|it|the\s+(?:above|former|latter|same))\b
        (?:\s+(?:call|line|assertion|check|statement|one))?
        \s*(?:with|by|to|for|as|into)\b
        [^\ue000]*$             # no code span after
        """, re.I | re.X),
    # "this assertion should become:"
    re.compile(r"""
        \b(?:that|this|it)\s+
        (?:(?:call|line|assertion|check|statement)\s+)?
        (?:should|could|can|must|would)\s+(?:better\s+)?
        (?:be\s+(?:replaced|rewritten|changed)\s+(?:with|by|to|as)
           | become | read)\b
        [^\ue000]*$
        """, re.I | re.X),
)
# The sentence goes on after the block: "Use <block> instead of `X`".
CONTINUED_INSTEAD_RE = re.compile(r"""
    ^\W{0,3}(?:instead\s+of|in\s+place\s+of|rather\s+than)\s+
    (?:the\s+)?(?:(?:current|existing|old)\s+)?
    """ + prose.named_ph('code'), re.I | re.X)
# "I'd replace <quoted block> with <proposed block>": the sentence runs
# through both blocks.
# "Replace <block> with <block>", and the same in the other languages of
# FOREIGN_REQUEST_RE (sustituir ... por, ersetzen ... durch, remplacer
# ... par, sostituire ... con, substituir ... por, vervangen ... door).
REPLACE_BEFORE_QUOTE_RE = re.compile(r"""
    (?:
      \b(?:replac\w* | chang\w* | swap\w* | turn\w* | rewrit\w*
           | sustitu\w* | reemplaz\w* | cambi\w* | ersetz\w* | \u00e4nder\w*
           | rempla\w* | modifi\w* | sostitu\w* | substitu\w*
           | vervang\w*)\b
      | \u66ff\u6362 | \u6539 | \u7f6e\u304d\u63db    # Chinese, Japanese
    )
    [^.!?]{0,40}:?\s*$          # the rest of the sentence: up to the block
    """, re.I | re.X)
# The prose between the two blocks: "with", "by", "por", "durch", ...
WITH_BETWEEN_RE = re.compile(r"""
    ^\W{0,3}
    (?:with|by|into|to|for|por|con|durch|mit|par|door|\u4e3a|\u6210)\b
    [^.!?]{0,60}:?\s*$
    """, re.I | re.X)
DETERMINERS = frozenset(('the', 'a', 'an', 'this', 'that', 'its', 'their',
                         'our', 'any', 'each', 'every', 'no', 'his', 'her'))
# "... in `f`" / "... inside the f method" right after a rename.
RENAME_SCOPE_RE = re.compile(r"""
    \s*,?\s*(?:only\s+)?(?:in|inside|within)\s+(?:the\s+)?
    (?:(?:method|function|helper|def)\s+)?
    (?:""" + prose.named_ph('code') + r"""
       | (?P<name>[A-Za-z_]\w*))           # a bare name
    """, re.I | re.X)
# Nouns that make "remove the `f` call" a removal of the statements that
# call ``f``, not of ``f`` itself.
CALL_NOUNS = frozenset(('call', 'assertion', 'check', 'statement', 'line',
                        'comparison'))
# "`f` call on line 94": group ``line``.
ON_LINE_RE = re.compile(r"""
    \s*(?:call|assertion|check|statement)?\s*,?\s*
    (?:on|at|in|from)\s+line\s+(?P<line>\d{1,6})\b
    """, re.I | re.X)
_ARTICLE = r'(?:(?:the|a|an|this|that)\s+)?(?:[\w-]+\s+){0,2}?'
# "replace A with B", "use B instead of A", "change A to B": groups
# ``old`` and ``new`` (the placeholders of the code spans).
REPLACE_RES = (
    re.compile(r"""
        \breplac\w*\s+""" + _ARTICLE + prose.named_ph('old') + r"""
        \s+(?:with|by)\s+""" + _ARTICLE + prose.named_ph('new'),
               re.I | re.X),
    re.compile(r"""
        \buse\s+""" + _ARTICLE + prose.named_ph('new') + r"""
        \s+instead\s+of\s+""" + _ARTICLE + prose.named_ph('old'),
               re.I | re.X),
    re.compile(r"""
        \bchang\w*\s+""" + _ARTICLE + prose.named_ph('old') + r"""
        \s+(?:to|into)\s+""" + _ARTICLE + prose.named_ph('new'),
               re.I | re.X),
)
# "in `f`", "inside the helper `f`": group ``code``.
SCOPE_RE = re.compile(r"""
    \b(?:in|inside|within|of|from)\b[^\ue000.]{0,40}?
    """ + prose.named_ph('code'), re.I | re.X)
# "In finish_resize, use ..." / "In `finish_resize`, ...": where, first.
LEADING_SCOPE_RE = re.compile(r"""
    ^\W*(?:in|inside|within)\s+(?:the\s+)?
    (?:""" + prose.named_ph('code') + r"""
       | (?P<name>[A-Za-z_]\w*))           # a bare name
    \s*(?:method|function|helper)?\s*,
    """, re.I | re.X)
# "in the resize verification part": group ``phrase``, up to four words.
PHRASE_RE = re.compile(r"""
    ^[^.;:\ue000]{0,40}?\b(?:in|inside|within)\s+the\s+
    (?P<phrase>(?:[a-z][\w-]*\s+){0,3}[a-z][\w-]*)
    """, re.I | re.X)
PHRASE_STOP = frozenset(('the', 'test', 'method', 'code', 'file', 'line',
                         'statement', 'call', 'and', 'with', 'of', 'for'))
# "add `X` right after `Y`": groups ``code`` (X), ``where`` (after or
# before) and ``anchor`` (Y).
INSERT_RE = re.compile(r"""
    \b(?:add|insert|put|place)\w*\s+
    """ + _ARTICLE + prose.named_ph('code') + r"""
    \s+(?:(?:right|just|immediately|directly)\s+)?
    (?P<where>after|before)\s+
    (?:the\s+(?:call|line|statement|assignment)\s+(?:to|of|that\s+calls)\s+)?
    """ + _ARTICLE + prose.named_ph('anchor'), re.I | re.X)
# "after `Y`, add `X`": the same groups.
INSERT_FIRST_RE = re.compile(r"""
    \b(?P<where>after|before)\s+
    (?:the\s+(?:call|line|statement|assignment)\s+(?:to|of|that\s+calls)\s+)?
    """ + _ARTICLE + prose.named_ph('anchor') + r"""
    \s*,?\s+(?:add|insert)\w*\s+
    """ + _ARTICLE + prose.named_ph('code'), re.I | re.X)
ADD_CUE = re.compile(r'\b(?:add|insert|include)(?:s|ed|ing)?\b', re.I | re.X)
# A sentence presenting inline code as the better form: "the check reads
# better as `...`", "prefer `...`", "should be `...`".
INLINE_PROPOSAL_CUE = re.compile(r"""
    \b(?:better | prefer\w* | clearer | instead | should | must | use
         | read\s+as | becomes? | rewrit\w* | replac\w* | chang\w*)\b
    """, re.I | re.X)
# A request: a modal or a suggestion ...
REQUEST_RE = re.compile(r"""
    \b(?:
      should | must | needs?\s+to | has\s+to | have\s+to | ought\s+to
      | can\s+be | could\s+be | could\s+\w+
      | would\s+be\s+(?:better|clearer|more|preferable|nicer|safer)
      | recommend\w* | suggest\w* | consider(?:ing)? | prefer\w* | please
      | instead\s+of | i['\u2019]d | i\s+would | let['\u2019]s | why\s+not
      | better\s+to | worth\s+\w+ing | propos\w* | want\s+to | shall
    )\b""", re.I | re.X)
# ... or an imperative opening the sentence (after a label or a bullet).
IMPERATIVE_RE = re.compile(r"""
    ^\W*
    (?:
      (?:[\w\ -]{1,30}\s*:\s*)          # a label: "Nit:", "Line 5:"
      | (?:\*\*[^*]{1,60}\*\*\W*)       # a bold label: "**Fix**"
    )?
    (?:please\s+|just\s+|also\s+|then\s+)?
    (?:replace|rename|remove|delete|drop|change|update|fix|move|add|insert
       |swap|use|make|avoid|split|merge|wrap|inline|extract|reorder|switch
       |turn|convert|simplify|tighten|loosen|check|assert|pass|set|call
       |keep|rewrite|put|wait)\b
    (?!\s*:)                            # "Check:" labels, it asks nothing
    """, re.I | re.X)


# ---------------------------------------------------------------------
# Requests said with a label: "**Recommendation:** Make the wait ...".
# JSON answers and templates put the request under a key; the label makes
# an imperative after it a request even when it names no code (then it
# is a claim that cannot become a change).
LABELLED_REQUEST_RE = re.compile(r"""
    ^\W*(?:\*\*|__)?
    (?:recommend(?:ation|ed\s+(?:action|fix|change))
     |suggest(?:ion|ed\s+(?:action|fix|change))
     |remediation|action(?:\s+item)?|proposed\s+(?:fix|change)|todo)s?
    (?:\*\*|__)?\s*:\s*(?:\*\*|__)?\s*
    (?:please\s+)?
    (?:make|create|add|use|replace|rename|remove|delete|drop|change
     |update|move|split|extract|avoid|wrap|check|assert|wait|decouple
     |introduce|define|factor|parametri[sz]e|refactor|rewrite|ensure
     |switch|convert|simplify|reduce|increase|tighten|loosen|document
     |cover|test|verify)\b
    """, re.I | re.X)

# Renames in other languages: "переименовать `a` в `b`", "`a` を `b` に
# リネーム".  Group 1 (old) and 2 (new) are placeholders, as in
# RENAME_RES, whose (regex, explicit) shape these share.
_OLD = prose.named_ph('old')
_NEW = prose.named_ph('new')
_FILLER = r'(?:[\w\'\u2019-]+\s+){0,3}?'
FOREIGN_RENAME_RES = tuple((re.compile(pattern % {
    'old': _OLD, 'new': _NEW, 'filler': _FILLER}, re.I | re.X), True)
    for pattern in (
        # Russian: переименовать `a` в `b`
        r'переименова\w*\s+%(filler)s%(old)s\s*,?\s+(?:в|на)\s+%(new)s',
        # German: `a` in `b` umbenennen; benenne `a` in `b` um
        r'%(old)s\s+(?:in|zu|nach)\s+%(new)s\s+umbenenn\w*',
        r'(?:umbenenn\w*|benenn\w*)\s+%(filler)s%(old)s\s*,?\s+'
        r'(?:in|zu|nach)\s+%(new)s',
        # French, Spanish, Portuguese, Italian
        r'(?:renomm\w*|renombr\w*|renome\w*|rinomin\w*)\s+%(filler)s'
        r'%(old)s\s*,?\s+(?:en|par|à|a|como|por|para|in|come)\s+%(new)s',
        r'cambi\w*\s+el\s+nombre\s+(?:de\s+)?%(old)s\s+(?:a|por)\s+%(new)s',
        # Polish: zmień nazwę `a` na `b`; przemianuj
        r'(?:zmie\w*\s+nazw\w*|przemianuj\w*)\s+%(filler)s%(old)s\s*,?\s+'
        r'na\s+%(new)s',
        # Dutch: hernoem `a` naar `b`
        r'hernoem\w*\s+%(filler)s%(old)s\s*,?\s+(?:naar|in|tot)\s+%(new)s',
        # Swedish: byt namn på `a` till `b`; döp om `a` till `b`
        r'(?:byt\s+namn\s+på|döp\s+om)\s+%(old)s\s+till\s+%(new)s',
        # Vietnamese: đổi tên `a` thành `b`
        r'đổi\s+tên\s+%(filler)s%(old)s\s+(?:thành|sang)\s+%(new)s',
        # Turkish: `a` adını `b` olarak değiştirin / yeniden adlandırın
        r'%(old)s\W{0,3}\w*\s+(?:adını\s+)?%(new)s\W{0,3}\w*\s+'
        r'(?:olarak\s+)?(?:yeniden\s+adlandır|değiştir)\w*',
        # Chinese: 将 `a` 重命名为 `b`; 把 `a` 改名为 `b`
        r'%(old)s\s*(?:重命名|改名|更名|命名)\s*(?:为|成|為)\s*%(new)s',
        r'(?:重命名|改名)\s*%(old)s\s*(?:为|成|為)\s*%(new)s',
        # Japanese: `a` を `b` にリネーム / に改名 / に名前を変更
        r'%(old)s\s*(?:を|は)\s*%(new)s\s*(?:に|へ)\s*'
        r'(?:リネーム|改名|名前を変更|名前変更|rename)',
        # Korean: `a`을(를) `b`(으)로 이름 변경 / 바꾸
        r'%(old)s\s*(?:을|를|의\s*이름을)?\s*%(new)s\s*(?:으로|로)\s*'
        r'(?:이름을?\s*)?(?:변경|바꾸|바꿔|바꿉|리네임)',
        # Arabic: إعادة تسمية `a` إلى `b`
        r'(?:أعد|إعادة)\s+تسمية\s+%(old)s\s+(?:إلى|الى)\s*%(new)s',
    ))

# Several names renamed, or replaced, in one breath: "rename `a` and `b`
# to `c` and `d`", "replace `a`, `b` with `c`, `d`" (a table row that
# follows two renames into every use).  The lists are paired in order.
NAME_LIST = (r'%s(?:\s*(?:,|and|&|/|;)\s*%s){1,5}' % (prose.PH, prose.PH))
LIST_RENAME_RE = re.compile(r"""
    \b(?:renam\w*|replac\w*)\s+(?:(?:the|all|both)\s+)?
    (?P<olds>%s)\s*,?\s+
    (?:to|with|by|as|into|->|\u2192)\s+
    (?P<news>%s)
    """ % (NAME_LIST.replace(' ', r'\ '), NAME_LIST.replace(' ', r'\ ')),
    re.I | re.X)

# "des lignes 84-85", "Zeilen 84 bis 85", "строки 84–85", "84〜85 行目":
# lines named in another language, as the version reviewed numbers them.
_RANGE_TAIL = (r'(?:\s*(?:-|\u2013|~|\u301c|\uff5e|bis|à|a|al|do|tot|t/m|'
               r'до|по)\s*(?P<end>\d{1,4}))?')
# "the following" in another language: a sentence that names a line,
# asks for something and says "to the following" introduces the block
# after it, colon or not ("87번째 줄을 다음으로 바꾸는 것을 제안합니다.").
FOREIGN_FOLLOWING_RE = re.compile(r"""
    \ub2e4\uc74c                 # Korean
    | folgende | suivante?s? | siguientes? | seguintes? | seguenti?e?
    | \u4ee5\u4e0b | \u4e0b\u9762 | \u5982\u4e0b  # Chinese, Japanese
    | \u6b21\u306e
    | следующ\w* | następując\w* | volgende | seuraava\w*
    | aşağıdaki | berikut | sau\ đây | निम्न\w* | التالي
    """, re.I | re.X)
# The word for "line(s)" in other languages (Hebrew with its prefixed
# preposition, Hindi in its oblique plural too).
_FOREIGN_LINE_WORDS = r"""
    (?:lignes?|zeilen?|l[ií]neas?|righe|riga|linhas?|lini[aeię]|regels?
     |строк[аиуе]?|строчк\w*|satır\w*|dòng|rader|raden
     |[\u05d1\u05d4]?\u05e9\u05d5\u05e8(?:\u05d4|\u05d5\u05ea)
     |\u092a\u0902\u0915\u094d\u0924\u093f(?:\u092f\u094b\u0902
       |\u092f\u093e\u0901)?
     # Greek, Norwegian and Danish, Croatian and Serbian, Lithuanian,
     # Estonian, Tagalog, Slovak and Czech, Thai, Indonesian and Malay,
     # Hungarian, Catalan, Persian, Finnish, Romanian
     |\u03b3\u03c1\u03b1\u03bc\u03bc\w* | \blinje\w*
     | \bred(?:ak|ka|ke|ci|ovi|ove)\b | \bretk\w* | \beilut\w*
     | \br(?:ida|ea|ead|idu|idad\w*)\b | \blinya\b
     | \briad(?:ok|ky|ku|kov|koch)\b | \b\u0159\u00e1d(?:ek|ky|ku|k\u016f)\b
     | \u0e1a\u0e23\u0e23\u0e17\u0e31\u0e14 | \bbaris\b
     | \bsor(?:ok|a|ban|t|okat)?\b
     | \bl[i\u00ed]ni(?:a|es)\b | \u062e\u0637(?:\u0648\u0637)?\b | \brivi\w*
     | \br[\u00e2a]nd\w*
     # Welsh, Albanian, Icelandic, Latvian, Lithuanian, Slovenian,
     # Bulgarian and Serbian (Cyrillic), Swahili, Basque, Afrikaans,
     # Galician, Bengali
     | \bllinell\w* | \brresht\w* | \bl\u00edn(?:a|u|ur|um|unni)\b
     | \brind(?:a|as|u|\u0101|\u0101s)\b | \beilut\w* | \bvrstic\w*
     | \b\u0440\u0435\u0434(?:\u0430|\u043e\u0432\u0435|\u043e\u0432\u0438)?\b
     | \bm(?:i)?stari\b | \blerro\w* | \bre\u00ebl\w* | \bli\u00f1a\w*
     | \u09b2\u09be\u0987\u09a8)"""
# "these two lines" in another language: the line word with no number.
FOREIGN_LINE_WORD_RE = re.compile(_FOREIGN_LINE_WORDS, re.I | re.X)
FOREIGN_LINES_RE = re.compile(_FOREIGN_LINE_WORDS + r"""
    \s*(?P<first>\d{1,4})""" + _RANGE_TAIL + r"""
    | (?P<first_cjk>\d{1,4})(?:\s*(?:-|\u2013|~|\u301c|\uff5e)\s*
      (?P<end_cjk>\d{1,4}))?\s*(?:行目?|번째\s*줄|번\s*줄|줄|行)
    """, re.I | re.X)

# "remove it and keep `f`": a pronoun is the verb's object, and code after
# "keep" is kept.  Either ends the run of code a removal takes.
PRONOUN_OBJECTS = frozenset(('it', 'this', 'that', 'them', 'these',
                             'those'))
KEEP_WORDS = frozenset(('keep', 'keeping', 'leave', 'leaving', 'retain',
                        'retaining', 'preserve', 'preserving'))

# A verb of FOREIGN_REQUEST_RE in a sentence that tells what happened: the
# Chinese passive or perfective ("已被 `f` 删除", "已经替换了") and the
# Japanese past ("削除された", "削除しました").  Taken out before the
# request is looked for.
FOREIGN_DESCRIPTION_RE = re.compile(r"""
    (?:\u5df2\u7ecf?|\u88ab)[^\uff0c\u3002,.;\n]{0,40}?
      (?:\u5220\u9664|\u79fb\u9664|\u66ff\u6362|\u6539\u4e3a|\u6539\u6210
       |\u91cd\u547d\u540d)
    | (?:\u524a\u9664|\u7f6e\u304d\u63db\u3048)
      (?:\u3055\u308c|\u3057\u307e\u3057\u305f|\u3057\u305f)
    # A noun of removal or replacement before "after", "before", "done",
    # or the Chinese perfective: the argument's removal is "done"
    # ("\u5f15\u6570\u524a\u9664\u5f8c"), "\u5220\u9664\u540e".
    | (?:\u524a\u9664|\u7f6e\u304d\u63db\u3048|\u5220\u9664|\u79fb\u9664
       |\u66ff\u6362)
      (?:\u5f8c|\u524d|\u6e08|\u540e|\u4e86)
    """, re.X)

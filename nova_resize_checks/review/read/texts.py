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


"""Small helpers over untrusted text and code, for every stage of review/.

The lowest module of the package's review side: it imports nothing from
it, so that prose, diffs, extract and edits can all share it.
"""

import ast
import re
import textwrap


# A line of quoted code that stands for code left out: "# ...",
# "# rest of the test unchanged", "# (existing code)".
ELISION_RE = re.compile(
    r'^\s*#\s*(?:(?:\.\.\.|\u2026)\s*$'
    r'|.*\b(?:unchanged|omitted|as before|same as (?:before|above)'
    r'|existing code|rest of (?:the )?(?:code|test|method|function|file|'
    r'class)|remains? the same|snip)\b)', re.I)


def is_elision(line):
    """Whether a line of quoted code stands for lines left out.

    That is a comment such as "# ..." or "# rest unchanged", or a bare
    ``...``.
    """
    return bool(ELISION_RE.match(line)) or line.strip() in ('...', '\u2026')


# What ``ast.parse`` raises on hostile or broken input.
PARSE_ERRORS = (SyntaxError, ValueError, RecursionError, MemoryError,
                OverflowError)


def parse_python(code, dedent=True):
    """``ast.parse`` of the (dedented) code, or None; never runs it."""
    try:
        return ast.parse(textwrap.dedent(code) if dedent else code)
    except PARSE_ERRORS:
        return None


def parses(code):
    """Whether ``code``, as it stands, is Python."""
    return parse_python(code, dedent=False) is not None


def one_line_statement(code):
    """Whether ``code`` is Python on one line with a call or assignment.

    What a quoted span must be for the rules to take it as a statement
    of the test, rather than a name or a phrase in backticks.
    """
    return '\n' not in code and re.search(r'[(=]', code) is not None \
        and parse_python(code) is not None


def short(text, limit=120):
    """``text`` on one line, cut to ``limit`` characters."""
    text = ' '.join(str(text).split())
    return text if len(text) <= limit else text[:limit - 3] + '...'

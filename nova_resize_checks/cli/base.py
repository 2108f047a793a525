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


"""What every command shares: exit codes, usage errors, output streams.

Exit codes mean one thing each, for every command (``EXIT_CODES``, which
``--help`` and the README print as one table).
"""

import argparse
import json
import os
import shutil
import sys

from nova_resize_checks import env
from nova_resize_checks import schemas

EXIT_OK = 0
EXIT_FOUND = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130
EXIT_CODES = (
    (EXIT_OK, 'nothing flagged: fixed, no review flagged, every mutant '
              'caught (backport --patch: the patch fixes it)'),
    (EXIT_FOUND, 'something flagged: affected or unexpected, a review '
                 'flagged, a mutant escapes (backport --patch: it does '
                 'not fix it)'),
    (EXIT_ERROR, 'a usage or environment error, before any verdict: a '
                 'bad argument, a missing, unreadable, binary or non-text '
                 'review, an unknown git ref, a canonical test that '
                 'cannot pass within --timeout; or, after the verdicts, '
                 'the tool failed on a review (an internal error, '
                 'reported)'),
    (3, 'backport --patch only: the tree was already fixed'),
    (4, 'backport --patch only: cannot tell'),
    (EXIT_INTERRUPTED, 'interrupted (Ctrl-C): every run was stopped and '
                       'nothing partial was cached'),
)


EXIT_CODES_TITLE = 'exit status (every command):'


def exit_codes_text(width=79):
    """The exit codes as a table for ``--help`` (wrapped to ``width``)."""
    import textwrap

    lines = [EXIT_CODES_TITLE]
    for code, meaning in EXIT_CODES:
        lines.extend(textwrap.wrap(meaning, width,
                                   initial_indent='  %-3d  ' % code,
                                   subsequent_indent=' ' * 7))
    return '\n'.join(lines)


class UsageError(Exception):
    pass


class Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError('%s: %s' % (self.prog, message))


def width(stream):
    """Columns to wrap text at, or None for no wrapping.

    ``COLUMNS`` when set; else the terminal's width on a terminal; off a
    terminal (pipes, CI logs) nothing is wrapped.
    """
    columns = os.environ.get('COLUMNS', '')
    if columns.isdecimal() and int(columns) > 0:
        return int(columns)
    try:
        if stream.isatty():
            return shutil.get_terminal_size().columns
    except (AttributeError, ValueError, OSError):
        pass
    return None


def console(stream):
    """A rich console on ``stream`` (tables), wrapping as :func:`width`."""
    import rich.console

    columns = width(stream)
    return rich.console.Console(file=stream, highlight=False,
                                soft_wrap=columns is None,
                                width=columns or 10000)


def write_lines(stream, lines):
    """Plain text lines, wrapped as :func:`width` says."""
    import textwrap

    columns = width(stream)
    for line in lines:
        if columns and len(line) > columns:
            indent = len(line) - len(line.lstrip(' '))
            line = '\n'.join(textwrap.wrap(
                line, columns, subsequent_indent=' ' * (indent + 4),
                break_long_words=False, break_on_hyphens=False)) or line
        stream.write(line + '\n')


def emit_json(document, concurrency=True):
    """Print a JSON document with its format version (and nova's mode)."""
    document = schemas.stamp(document)
    if concurrency:
        document.setdefault('concurrency', env.concurrency())
    json.dump(document, sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write('\n')

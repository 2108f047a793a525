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


"""The parser and ``main``: wiring only, one module per command.

Ctrl-C: the first SIGINT kills every child process the command started
(:func:`children.cancel`), so nothing more runs and nothing partial is
cached, and the command exits 130 at once.
"""

import argparse
import signal
import sys

import nova_resize_checks
from nova_resize_checks import children
from nova_resize_checks.cli import backport
from nova_resize_checks.cli import base
from nova_resize_checks.cli import mutants
from nova_resize_checks.cli import reproduce
from nova_resize_checks.cli import review
from nova_resize_checks import env
from nova_resize_checks import reproduce as reproduce_mod

COMMANDS = (reproduce, review, mutants, backport)


class _Formatter(argparse.HelpFormatter):
    """Descriptions filled to the width; the exit status table as is."""

    def _fill_text(self, text, width, indent):
        if text.startswith(base.EXIT_CODES_TITLE):
            return ''.join(indent + line for line in text.splitlines(True))
        return super(_Formatter, self)._fill_text(text, width, indent)


def build_parser():
    parser = base.Parser(
        prog='nova-resize-checks',
        description='Checks for nova bug 1825537: allocations after a '
                    'failed finish_resize.',
        epilog=base.exit_codes_text(),
        formatter_class=_Formatter)
    parser.add_argument('--version', action='version',
                        version='%(prog)s ' + nova_resize_checks.__version__)
    sub = parser.add_subparsers(dest='command', parser_class=base.Parser)
    for command in COMMANDS:
        command.register(sub).epilog = base.exit_codes_text()
    for choice in sub.choices.values():
        choice.formatter_class = _Formatter
    return parser


def _interrupt(signum, frame):
    children.cancel()
    raise children.Interrupted()


def _run(parser, argv):
    try:
        args = parser.parse_args(argv)
        if not getattr(args, 'func', None):
            raise base.UsageError('a command is required: %s' % ', '.join(
                sorted(parser._subparsers._group_actions[0].choices)))
        return args.func(args)
    except base.UsageError as exc:
        sys.stderr.write('%s\n' % exc)
        sys.stderr.write('Try "nova-resize-checks --help".\n')
        return base.EXIT_ERROR
    except env.EnvironmentProblem as exc:
        sys.stderr.write('nova-resize-checks: environment problem: %s\n'
                         % exc)
        return base.EXIT_ERROR
    except reproduce_mod.ScenarioError as exc:
        sys.stderr.write('nova-resize-checks: %s\n' % exc)
        return base.EXIT_ERROR


def main(argv=None):
    parser = build_parser()
    children.reset()
    previous = None
    try:
        previous = signal.signal(signal.SIGINT, _interrupt)
    except ValueError:
        # Not the main thread: leave signals alone.
        pass
    try:
        return _run(parser, argv)
    except KeyboardInterrupt:
        children.cancel()
        sys.stderr.write('nova-resize-checks: interrupted; every run was '
                         'stopped and nothing partial was cached\n')
        return base.EXIT_INTERRUPTED
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)

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


"""Sphinx directives that build reference pages from the code.

``nrc-cli``
    the command line reference, from ``nova_resize_checks.cli``'s parser;
``nrc-verdicts``
    the meta-check's verdicts, from ``review.verdict`` (the guide shows
    it in place of the README's copy, so that each table appears once).

Option names in generated text are literals (````--nova-git````), and
``conf.py`` turns off docutils' smart dashes, so that ``--`` is never
printed as an en dash.
"""

import argparse

from docutils import nodes
from docutils.parsers import rst
from docutils import statemachine
from sphinx.util import nodes as sphinx_nodes

from nrc_text import literal_options


def _table(headers, rows):
    lines = ['.. list-table::', '   :header-rows: 1', '']
    for row in [headers] + rows:
        lines.append('   * - %s' % (row[0] or ' '))
        lines.extend('     - %s' % (cell or ' ') for cell in row[1:])
    return lines


class _Generated(rst.Directive):
    has_content = False

    def lines(self):
        raise NotImplementedError

    def run(self):
        node = nodes.section()
        node.document = self.state.document
        sphinx_nodes.nested_parse_with_titles(
            self.state,
            statemachine.StringList(self.lines(), source='<generated>'),
            node)
        return node.children


def _literal(text):
    return '``%s``' % text if text else ''


class CliDirective(_Generated):

    def lines(self):
        from nova_resize_checks import cli

        parser = cli.build_parser()
        out = []
        subparsers = [a for a in parser._actions
                      if isinstance(a, argparse._SubParsersAction)]
        for action in subparsers:
            helps = {c.dest: c.help for c in action._choices_actions}
            for name, sub in action.choices.items():
                out += [name, '-' * len(name), '']
                if helps.get(name):
                    out += [literal_options(helps[name][0].upper() +
                                            helps[name][1:] + '.'), '']
                if sub.description:
                    out += [literal_options(sub.description), '']
                out += ['::', '']
                out += ['    ' + line for line in
                        sub.format_usage().strip().splitlines()]
                out.append('')
                for arg in sub._actions:
                    if isinstance(arg, argparse._HelpAction):
                        continue
                    label = ', '.join(arg.option_strings) or arg.metavar \
                        or arg.dest
                    if arg.choices and not arg.option_strings:
                        label = arg.dest
                    raw = arg.help or ''
                    try:
                        text = raw % dict(vars(arg), prog=sub.prog)
                    except (KeyError, TypeError, ValueError):
                        text = raw.replace('%%', '%')
                    if arg.choices:
                        text += ' (one of: %s)' % ', '.join(
                            '``%s``' % c for c in arg.choices)
                    if arg.default not in (None, False, [],
                                           argparse.SUPPRESS) and \
                            '%(default)' not in raw:
                        text += ' Default: ``%s``.' % (arg.default,)
                    out += ['``%s``' % label,
                            '    ' + (literal_options(text) or '-'), '']
        return out


class VerdictsDirective(_Generated):

    def lines(self):
        from nova_resize_checks.review import verdict

        return _table(['verdict', 'flagged', 'meaning'], [
            [_literal(v), 'yes' if v in verdict.FLAGGED else 'no',
             verdict.MEANINGS[v]] for v in verdict.VERDICTS]) + ['']


def setup(app):
    app.add_directive('nrc-cli', CliDirective)
    app.add_directive('nrc-verdicts', VerdictsDirective)
    return {'parallel_read_safe': True, 'parallel_write_safe': True}

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


"""RENAME: a consistent rename of one identifier.

What to rename comes from :mod:`names` (libcst's scope metadata): every
binding of the name and every read resolving to one, in the whole file or
in one def, the ``self.``/``cls.`` attributes of that name (whole file
only: an attribute is shared by the class), keyword arguments of calls to
the file's functions that take it, and import aliases (``import x`` becomes
``import x as new``).  Names of other objects' attributes, keywords of
calls to other code and module paths are never touched.
"""

import libcst as cst

from nova_resize_checks.review.edits import common
from nova_resize_checks.review.edits import names


class _Renamer(cst.CSTTransformer):
    """Give the Name nodes and import aliases in ``targets`` ``new``."""

    def __init__(self, targets, new):
        super(_Renamer, self).__init__()
        self.targets = {id(node) for node in targets}
        self.new = new

    def leave_Name(self, original_node, updated_node):
        if id(original_node) in self.targets:
            return updated_node.with_changes(value=self.new)
        return updated_node

    def leave_ImportAlias(self, original_node, updated_node):
        if id(original_node) not in self.targets:
            return updated_node
        asname = updated_node.asname
        if asname is None:
            return updated_node.with_changes(
                asname=cst.AsName(name=cst.Name(self.new)))
        return updated_node.with_changes(
            asname=asname.with_changes(name=cst.Name(self.new)))


def apply_rename(source, old, new, within=None):
    """Rename ``old`` to ``new``; in the def ``within`` when given."""
    old = common.identifier(old, 'old name')
    new = common.identifier(new, 'new name')
    if old == new:
        raise common.Refused('old and new names are the same (%s)' % old)
    module = common.cst_parse(source)
    inside = ''
    try:
        resolved = names.resolve(module)
        uses = names.find(resolved, old, within)
        clash = names.find(resolved, new, within)
    except ValueError as exc:
        raise common.Refused(str(exc))
    if within:
        inside = ' in %s' % within
        if uses.outside:
            raise common.Refused(
                '`%s` in %s (line %s) is bound outside %s; renaming it '
                'there alone would break it' % (
                    old, within, ', '.join(
                        str(x) for x in uses.lines(uses.outside)), within))
        if uses.attr_bound or uses.attr_read:
            raise common.Refused(
                '`self.%s` is shared by the whole class; it cannot be '
                'renamed in %s alone' % (old, within))
    targets = uses.nodes()
    if not targets:
        raise common.Refused('`%s` does not occur in the test%s'
                             % (old, inside))
    result = module.visit(_Renamer(targets, new))
    lines = uses.lines()
    reason = 'renamed %d occurrence(s) of %s to %s%s (lines %s)' % (
        len(targets), old, new, inside, ', '.join(str(x) for x in lines))
    if not uses.is_bound():
        reason += '; note: %s is not defined in this file' % old
    if clash.nodes():
        reason += '; note: %s was already used at line(s) %s' % (
            new, ', '.join(str(x) for x in clash.lines()))
    return result.code, reason

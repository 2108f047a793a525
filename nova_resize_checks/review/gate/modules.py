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


"""Which module paths the static gate lets code import or reach.

A dotted module path (an import, or an attribute of an imported module)
against the lists of :mod:`.policy`: denied segments and modules, the
project's own modules, the allow-list, private and listed attributes.
"""

from nova_resize_checks.review.gate import policy


def import_problem(name, allow_list=True):
    """Why importing module ``name`` is unsafe, or None."""
    parts = name.split('.')
    bad = [p for p in parts if p in policy.DENIED_SEGMENTS]
    if bad:
        return 'import of %s (%s) is not allowed' % (name, bad[0])
    for i in range(len(parts), 0, -1):
        prefix = '.'.join(parts[:i])
        if prefix in policy.DENIED_IMPORTS:
            return 'import of %s is not allowed (%s)' % (name, prefix)
    if parts[0] == 'nova_resize_checks':
        own = '.'.join(parts[:2])
        if own not in policy.ALLOWED_OWN_MODULES:
            return 'import of %s is not allowed (only %s)' % (
                name, ', '.join(sorted(policy.ALLOWED_OWN_MODULES)[1:]))
        return None
    if not allow_list:
        return None
    for i in range(len(parts), 0, -1):
        if '.'.join(parts[:i]) in policy.ALLOWED_IMPORTS:
            return None
    return 'import of %s is not allowed (not on the allow-list)' % name


def attr_problem(qualified, attr):
    """Why ``attr`` of the module object ``qualified`` is unsafe, or None."""
    if (attr.startswith('_') and not (attr.startswith('__')
                                      and attr.endswith('__'))
            and qualified.split('.')[0] not in policy.OWN_TREES):
        return 'private attribute %s.%s' % (qualified, attr)
    allowed = policy.MODULE_ATTRS_ALLOWED.get(qualified)
    if allowed is not None and attr not in allowed:
        return '%s.%s is not allowed' % (qualified, attr)
    denied = policy.MODULE_ATTRS_DENIED.get(qualified)
    if denied is not None and attr in denied:
        return '%s.%s is not allowed' % (qualified, attr)
    return import_problem('%s.%s' % (qualified, attr), allow_list=False)

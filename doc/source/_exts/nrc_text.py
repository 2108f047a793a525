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


"""Text helpers for the generated pages (no Sphinx needed to import)."""

import re

# An option name, with its metavar when one follows: --nova-git DIR, -v.
_OPTION = re.compile(r'(?<![\w`-])(--?[A-Za-z][\w-]*(?: [A-Z][A-Z|]*)?)')


def literal_options(text):
    """``text`` with every option name made a literal (````--x````).

    A literal is printed as typed: docutils' smart dashes never make its
    ``--`` an en dash, and it is copied and pasted intact.
    """
    return _OPTION.sub(lambda m: '``%s``' % m.group(1), text)

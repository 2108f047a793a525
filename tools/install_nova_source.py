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


"""Install $NOVA_SOURCE (a nova checkout) editable into this environment.

Called by tox before the functional tests.  Without NOVA_SOURCE it does
nothing and the PyPI release from the constraints file stays.  With it, the
checkout replaces the release: nova's own pin is dropped from the
constraints (the checkout has its own version) and everything else stays
constrained.
"""

import os
import subprocess
import sys
import tempfile


def main():
    source = os.environ.get('NOVA_SOURCE')
    if not source:
        return 0
    source = os.path.abspath(source)
    if not os.path.isfile(os.path.join(source, 'nova', 'compute',
                                       'manager.py')):
        sys.stderr.write('NOVA_SOURCE=%s is not a nova source tree (no '
                         'nova/compute/manager.py)\n' % source)
        return 2
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    constraints = os.environ.get('TOX_CONSTRAINTS_FILE') or os.path.join(
        here, 'upper-constraints.txt')
    with open(constraints) as f:
        kept = [line for line in f
                if not line.lower().startswith(('nova=', 'nova==='))]
    with tempfile.NamedTemporaryFile('w', suffix='.txt',
                                     delete=False) as f:
        f.writelines(kept)
        trimmed = f.name
    try:
        print('Installing nova from %s' % source)
        return subprocess.call([sys.executable, '-m', 'pip', 'install',
                                '-c', trimmed, '-e', source])
    finally:
        os.unlink(trimmed)


if __name__ == '__main__':
    sys.exit(main())

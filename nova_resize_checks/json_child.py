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


"""A child Python process that answers with one JSON document.

The scenario observer and the assertion x mutant matrix run nova in a
child process of their own (importing nova's test framework patches the
process) and hand back a JSON document through a file named by
``--output``.  :func:`write` is the child's side (written atomically, so
the parent never reads half a document), :func:`run` the parent's.
"""

import json
import os
import subprocess
import sys
import tempfile

from nova_resize_checks import env


def write(path, document):
    """Write ``document`` to ``path`` atomically (the child's side)."""
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(document, f, indent=1, sort_keys=True)
    os.replace(tmp, path)


def run(module, args, timeout, python=None, error=RuntimeError,
        what='the child', work='its work'):
    """Run ``python -m module --output FILE args...``; return its document.

    ``error`` is raised when ``work`` runs out of ``timeout`` seconds or
    the child (``what``) writes no document; EnvironmentProblem when it
    cannot start or reports an ``environment_error``.
    """
    prefix = 'nrc-%s-' % module.rsplit('.', 1)[-1]
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        output = os.path.join(tmp, 'result.json')
        cmd = [python or sys.executable, '-m', module,
               '--output', output] + list(args)
        try:
            proc = subprocess.run(cmd, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, timeout=timeout,
                                  cwd=tmp)
        except subprocess.TimeoutExpired:
            raise error('%s did not finish within %ss' % (work, timeout))
        except OSError as exc:
            raise env.EnvironmentProblem('cannot start %s: %s'
                                         % (cmd[0], exc))
        if not os.path.exists(output):
            tail = proc.stderr.decode('utf-8', 'replace').strip()
            raise error('%s exited with %s and wrote no result:\n%s'
                        % (what, proc.returncode, tail[-3000:]))
        with open(output) as f:
            document = json.load(f)
    if 'environment_error' in document:
        raise env.EnvironmentProblem(document['environment_error'])
    return document

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


"""Per-run memory and pids cgroups (v2 or v1), made by the parent.

A :class:`CgroupMaker` tries once whether this process may create
cgroups (root, or a delegated subtree); where it may not, its
:attr:`CgroupMaker.note` says why and runs have rlimits only (see
:mod:`~nova_resize_checks.runs.confinement`).
"""

import os

CGROUP_MEMORY = 3 * 1024 ** 3
CGROUP_PIDS = 1024


class Cgroup(object):
    """One run's memory and pids cgroup (v2 or v1), made by the parent."""

    def __init__(self, dirs):
        self.dirs = dirs

    def enter(self):
        """In the child before exec: move this process into the cgroup."""
        pid = str(os.getpid())
        for directory in self.dirs:
            procs = os.path.join(directory, 'cgroup.procs')
            with open(procs, 'w') as f:
                f.write(pid)

    def remove(self):
        for directory in self.dirs:
            for _ in range(50):
                try:
                    os.rmdir(directory)
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    import time
                    time.sleep(0.1)


def _own_cgroup(controller):
    """This process's cgroup directory for ``controller`` (or v2's)."""
    try:
        with open('/proc/self/cgroup') as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    for line in lines:
        _id, controllers, path = line.split(':', 2)
        if controller in controllers.split(','):
            base = os.path.join('/sys/fs/cgroup', controller)
            if os.path.isdir(base):
                return os.path.join(base, path.lstrip('/'))
    for line in lines:
        if line.startswith('0::'):
            return os.path.join('/sys/fs/cgroup',
                                line[3:].lstrip('/'))
    return None


class CgroupMaker(object):
    """Makes per-run cgroups, or says why it cannot (:attr:`note`)."""

    def __init__(self, memory=CGROUP_MEMORY, pids=CGROUP_PIDS):
        self.memory, self.pids = memory, pids
        self.count = 0
        self.note = None
        try:
            self.make().remove()
        except OSError as exc:
            self.note = ('no cgroup for runs (%s): memory a run holds '
                         'outside its address space is bounded only by '
                         'its tmpfs size and the kernel\'s own limits'
                         % exc)

    def make(self):
        self.count += 1
        name = 'nrc-%d-%d' % (os.getpid(), self.count)
        if os.path.exists('/sys/fs/cgroup/cgroup.controllers'):
            parent = _own_cgroup('')
            if parent is None:
                raise OSError('no cgroup v2 directory of our own')
            directory = os.path.join(parent, name)
            os.mkdir(directory)
            try:
                for key, value in (('memory.max', self.memory),
                                   ('memory.swap.max', 0),
                                   ('pids.max', self.pids)):
                    with open(os.path.join(directory, key), 'w') as f:
                        f.write(str(value))
            except OSError:
                os.rmdir(directory)
                raise
            return Cgroup([directory])
        made = []
        try:
            for controller, settings in (
                    ('memory', (('memory.limit_in_bytes', self.memory),)),
                    ('pids', (('pids.max', self.pids),))):
                parent = _own_cgroup(controller)
                if parent is None or not os.path.isdir(parent):
                    raise OSError('no %s cgroup (v1) of our own'
                                  % controller)
                directory = os.path.join(parent, name)
                os.mkdir(directory)
                made.append(directory)
                for key, value in settings:
                    with open(os.path.join(directory, key), 'w') as f:
                        f.write(str(value))
                swap = os.path.join(directory, 'memory.memsw.limit_in_bytes')
                if os.path.exists(swap):
                    with open(swap, 'w') as f:
                        f.write(str(self.memory))
        except OSError:
            Cgroup(made).remove()
            raise
        return Cgroup(made)

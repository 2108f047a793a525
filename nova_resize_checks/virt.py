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


"""A virt driver that fails where bug 1825537 starts.

Nova loads compute drivers only from its own ``nova.virt`` namespace
(``nova.virt.<compute_driver>``), so importing this module also registers it
there as ``nova.virt.nova_resize_checks``, in memory only.  Select the driver
with ``compute_driver = 'nova_resize_checks.FinishMigrationFailDriver'``
(the value of :data:`DRIVER`).  Nova ships an equivalent driver for its own
regression test; carrying ours keeps the scenario independent of it.
"""

import sys

from nova import exception
import nova.virt
from nova.virt import fake

ALIAS = 'nova_resize_checks'
DRIVER = ALIAS + '.FinishMigrationFailDriver'


class FinishMigrationFailDriver(fake.FakeDriver):
    """FakeDriver whose finish_migration always fails.

    ``finish_migration`` is the last virt call of a cold migration or
    resize, made by ``finish_resize`` on the destination compute after the
    source has already pointed the instance at the destination host.  The
    error is the one a VIF plug failure gives, so the instance fault reads
    "Virtual Interface creation failed".
    """

    def finish_migration(self, *args, **kwargs):
        raise exception.VirtualInterfaceCreateException()


def register():
    """Make this module importable as ``nova.virt.nova_resize_checks``."""
    module = sys.modules[__name__]
    sys.modules.setdefault('nova.virt.' + ALIAS, module)
    setattr(nova.virt, ALIAS, sys.modules['nova.virt.' + ALIAS])


register()

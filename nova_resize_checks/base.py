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


"""Base test case for scenarios run on nova's functional framework.

Importing this module imports nova's test packages (which monkey-patch the
process for eventlet where nova still needs it); import it only where the
scenario is meant to run.
"""

from nova.tests.functional import integrated_helpers

from nova_resize_checks import fixtures as nrc_fixtures
from nova_resize_checks import virt


class ResizeChecksTestCase(integrated_helpers.ProviderUsageBaseTestCase):
    """ProviderUsageBaseTestCase that runs from an installed nova wheel.

    Subclasses keep nova's conventions: ``compute_driver`` names the virt
    driver every compute service of the test uses.
    """

    compute_driver = virt.DRIVER

    def setUp(self):
        # Must be in place before nova's TestCase.setUp builds ConfFixture.
        self.useFixture(nrc_fixtures.NovaFromWheelFixture())
        super(ResizeChecksTestCase, self).setUp()

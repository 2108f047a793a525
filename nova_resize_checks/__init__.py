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


"""Regression checks for nova bug 1825537.

When ``finish_resize`` fails on the destination compute, placement must keep
the new flavor on the destination node and drop the old flavor that the
migration holds on the source node.  This package reproduces that scenario
against real nova and placement, proves its assertions catch the bug, reviews
proposed changes to the regression test and verifies backports.
"""

import pbr.version

version_info = pbr.version.VersionInfo('nova-resize-checks')
__version__ = version_info.version_string()

BUG = 1825537

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


"""The ``nova-resize-checks`` command: wiring over the library.

One small module per command (:mod:`.reproduce`, :mod:`.review`,
:mod:`.mutants`, :mod:`.backport`), each calling a library function that
prints nothing and handing its result to :mod:`nova_resize_checks.report`;
:mod:`.base` holds the exit codes and output streams, :mod:`.progress`
the progress display, :mod:`.app` the parser and ``main``.
"""

from nova_resize_checks.cli.app import build_parser  # noqa: F401
from nova_resize_checks.cli.app import main  # noqa: F401
from nova_resize_checks.cli.base import EXIT_CODES  # noqa: F401
from nova_resize_checks.cli.base import UsageError  # noqa: F401

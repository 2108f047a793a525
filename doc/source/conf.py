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

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '_exts'))

extensions = [
    'nrc_docs',
    'reno.sphinxext',
]

source_suffix = '.rst'
master_doc = 'index'
project = 'nova-resize-checks'
copyright = '2026, nova-resize-checks developers'
author = 'nova-resize-checks developers'
language = 'en'
exclude_patterns = []
pygments_style = 'sphinx'
# Quotes and ellipses only: docutils' smart dashes would print an option's
# "--" as an en dash, which breaks copy and paste.
smartquotes_action = 'qe'
html_theme = 'alabaster'

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


# Sphinx configuration for the nova-resize-checks release notes.

extensions = [
    'reno.sphinxext',
]

templates_path = ['_templates']
source_suffix = '.rst'
master_doc = 'index'

project = 'nova-resize-checks Release Notes'
copyright = '2026, nova-resize-checks developers'
author = 'nova-resize-checks developers'

# Release notes are versioned by reno from git tags, not by Sphinx.
version = ''
release = ''

language = 'en'
exclude_patterns = []
pygments_style = 'sphinx'

html_theme = 'alabaster'
html_static_path = ['_static']
htmlhelp_basename = 'NovaResizeChecksReleaseNotesdoc'

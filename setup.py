"Package metadata comes from settings.ini (nbdev 2); this file only translates it for setuptools."
from configparser import ConfigParser
from pathlib import Path
import setuptools

here = Path(__file__).parent
config = ConfigParser(delimiters=['='])
config.read(here/'settings.ini', encoding='utf-8')
cfg = config['DEFAULT']

for key in 'version description keywords author author_email license min_python lib_name user'.split():
    if key not in cfg: raise KeyError(f'settings.ini lacks `{key}`; add it under [DEFAULT]')

licenses = {'apache2': 'Apache-2.0'}  # SPDX expressions; setuptools>=77 rejects licence classifiers beside them
statuses = ['1 - Planning', '2 - Pre-Alpha', '3 - Alpha', '4 - Beta', '5 - Production/Stable', '6 - Mature', '7 - Inactive']
py_versions = '3.10 3.11 3.12 3.13'.split()
min_python = cfg['min_python']
license_expression = licenses.get(cfg['license'].lower(), cfg['license'])
requirements = cfg.get('requirements', '').split()
extras = {'tensorboard': cfg.get('tensorboard_requirements', '').split(),  # log.tensorboard=true
          'export': cfg.get('export_requirements', '').split(),  # load_dynamics / ntav export: pandas, and Parquet files
          'hdf5': cfg.get('hdf5_requirements', '').split()}  # precomputed features in HDF5 files
dev_requirements = cfg.get('dev_requirements', '').split() + sorted({r for rs in extras.values() for r in rs})

def _version_key(v): return tuple(int(p) for p in v.split('.'))

setuptools.setup(
    name=cfg['lib_name'],
    version=cfg['version'],
    description=cfg['description'],
    long_description=(here/'README.md').read_text(encoding='utf-8'),
    long_description_content_type='text/markdown',
    keywords=cfg['keywords'],
    author=cfg['author'],
    author_email=cfg['author_email'],
    license=license_expression,
    license_files=['LICENSE'],
    url=cfg.get('git_url', ''),
    classifiers=[
        'Development Status :: ' + statuses[int(cfg.get('status', '3')) - 1],
        'Intended Audience :: ' + cfg.get('audience', 'Science/Research'),
        'Natural Language :: ' + cfg.get('language', 'English'),
        'Topic :: Scientific/Engineering :: Artificial Intelligence',
    ] + [f'Programming Language :: Python :: {v}' for v in py_versions if _version_key(v) >= _version_key(min_python)],
    packages=setuptools.find_packages(include=[cfg['lib_name'], cfg['lib_name'] + '.*']),
    include_package_data=True,
    install_requires=requirements,
    extras_require={'dev': dev_requirements, **extras},
    python_requires=f'>={min_python}',
    zip_safe=False,
    entry_points={
        'console_scripts': cfg.get('console_scripts', '').split(),
        'nbdev': [f"{cfg['lib_name']}={cfg['lib_name']}._modidx:d"],
    },
)

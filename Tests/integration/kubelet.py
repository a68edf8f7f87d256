"""Writes a directory the way kubelet mounts a ConfigMap or Secret: files are symlinks
through `..data`, which points at a timestamped directory; an update writes a new
timestamped directory and renames a `..data_tmp` symlink over `..data`."""
import itertools
import os
import shutil

_counter = itertools.count()


class Link:
    """A file of an update that is a symlink to `target` instead of content."""

    def __init__(self, target):
        self.target = target


class KubeletVolume:
    def __init__(self, path, files):
        self.path = path
        os.makedirs(path, exist_ok=True)
        self.current = None
        self.update(files)
        for name in files:
            os.symlink(os.path.join("..data", name), os.path.join(path, name))

    def update(self, files):
        stamp = f"..2026_11_22_00_00_00.{next(_counter):06d}"
        target = os.path.join(self.path, stamp)
        os.makedirs(target)
        for name, content in files.items():
            if isinstance(content, Link):
                os.symlink(content.target, os.path.join(target, name))
                continue
            with open(os.path.join(target, name), "w") as f:
                f.write(content)
        tmp = os.path.join(self.path, "..data_tmp")
        os.symlink(stamp, tmp)
        os.rename(tmp, os.path.join(self.path, "..data"))
        if self.current:
            shutil.rmtree(os.path.join(self.path, self.current))
        self.current = stamp

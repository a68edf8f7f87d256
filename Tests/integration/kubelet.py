"""Writes a directory the way kubelet mounts a ConfigMap or Secret (or a projected volume):
top-level entries are symlinks through `..data`, which points at a timestamped directory; an
update writes a new timestamped directory and renames a `..data_tmp` symlink over `..data`.
File names may hold `/` (a projected item's `path`): the first segment is the symlink."""
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
        self.links = set()
        self.update(files)

    def update(self, files):
        stamp = f"..2026_11_22_00_00_00.{next(_counter):06d}"
        target = os.path.join(self.path, stamp)
        os.makedirs(target)
        for name, content in files.items():
            os.makedirs(os.path.dirname(os.path.join(target, name)), exist_ok=True)
            if isinstance(content, Link):
                os.symlink(content.target, os.path.join(target, name))
                continue
            with open(os.path.join(target, name), "w") as f:
                f.write(content)
        tmp = os.path.join(self.path, "..data_tmp")
        os.symlink(stamp, tmp)
        os.rename(tmp, os.path.join(self.path, "..data"))
        # Like kubelet: links for new entries, and links of removed entries deleted after the swap.
        tops = {name.split("/")[0] for name in files}
        for top in sorted(tops - self.links):
            os.symlink(os.path.join("..data", top), os.path.join(self.path, top))
        for top in sorted(self.links - tops):
            os.remove(os.path.join(self.path, top))
        self.links = tops
        if self.current:
            shutil.rmtree(os.path.join(self.path, self.current))
        self.current = stamp

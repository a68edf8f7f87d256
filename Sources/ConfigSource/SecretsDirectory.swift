import Glibc

/// The secrets directory as one load sees it. A file the config names is used only when its
/// real path (every symlink followed) lies inside the directory's real path: Kubernetes' own
/// links (`key -> ..data/key`, `..data -> ..2026_…`) stay inside and are followed, while a link
/// out (`dir -> /etc`) would send any readable file as a bearer token, and is refused.
struct SecretsDirectory {
    /// Where a file named in the config really is.
    enum Resolved {
        /// Inside the directory: read it at this real path (what was checked is what is read).
        case inside(String)
        /// Outside it, at this real path.
        case outside(String)
        /// It, or the directory, does not exist or cannot be resolved.
        case missing
    }

    let path: String
    private let realPath: String?

    init(_ path: String) {
        self.path = path
        realPath = Self.realPath(of: path)
    }

    /// Resolves `relative` (a path the decoder has checked: relative, no `.` or `..` segments).
    func resolve(_ relative: String) -> Resolved {
        guard let directory = realPath, let file = Self.realPath(of: path + "/" + relative) else { return .missing }
        let prefix = directory == "/" ? "/" : directory + "/"
        return file.hasPrefix(prefix) && file.utf8.count > prefix.utf8.count ? .inside(file) : .outside(file)
    }

    private static func realPath(of path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

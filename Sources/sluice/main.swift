import Glibc

exit(SidecarMain.run(Array(CommandLine.arguments.dropFirst())))

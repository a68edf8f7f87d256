import Glibc

exit(MockMain.run(Array(CommandLine.arguments.dropFirst())))

import Glibc

exit(ControllerMain.run(Array(CommandLine.arguments.dropFirst())))

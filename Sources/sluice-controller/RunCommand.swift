import GatewayController
import ProxyCore
import ProxyIO

enum RunCommand {
    static func run(_ arguments: [String]) -> Int32 {
        ControllerMain.usage("run is not implemented yet", command: "run")
    }
}

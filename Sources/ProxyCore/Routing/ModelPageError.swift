/// Why a model list page cannot be answered: the message names the parameter (a 400).
package struct ModelPageError: Error, Hashable, Sendable {
    package var message: String
    package init(_ message: String) { self.message = message }
}

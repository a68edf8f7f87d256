/// An amount of money spent on one response, in the currency of the model's price.
package struct Cost: Hashable, Sendable {
    /// The amount, unrounded (see `CostCalculator` for how it is computed).
    package var amount: Double
    /// ISO 4217 code, as configured with the price.
    package var currency: String

    /// Creates a cost.
    package init(amount: Double, currency: String) {
        self.amount = amount
        self.currency = currency
    }
}

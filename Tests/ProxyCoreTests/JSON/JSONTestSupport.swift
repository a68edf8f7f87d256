@testable import ProxyCore

/// Parses `text`, returning the error instead of throwing it (nil on success).
func parseError(_ text: String, options: JSONParser.Options = .init()) -> JSONParseError? {
    parseError(Array(text.utf8), options: options)
}

/// Parses `bytes`, returning the error instead of throwing it (nil on success).
func parseError(_ bytes: [UInt8], options: JSONParser.Options = .init()) -> JSONParseError? {
    do {
        _ = try JSONParser.parse(bytes, options: options)
        return nil
    } catch {
        return error
    }
}

/// `JSONValue.number` from a literal.
func number(_ literal: String) -> JSONValue { .number(JSONNumber(literal: literal)) }

/// `JSONValue.object` from key-value pairs, in order.
func object(_ members: (String, JSONValue)...) -> JSONValue {
    .object(JSONObject(members.map { (key: $0.0, value: $0.1) }))
}

/// A realistic OpenAI chat-completion request.
let chatRequestText = """
{
  "model": "gpt-4o-mini",
  "messages": [
    {"role": "system", "content": "You are a helpful assistant.\\nAnswer in \\"French\\"."},
    {"role": "user", "content": [
      {"type": "text", "text": "Qu'est-ce que c'est ? 🤔 \\u00e9t\\u00E9"},
      {"type": "image_url", "image_url": {"url": "https://example.com/a.png", "detail": "low"}}
    ]}
  ],
  "temperature": 0.7,
  "top_p": 1,
  "max_tokens": 512,
  "stream": true,
  "stream_options": {"include_usage": false},
  "stop": ["\\n\\n", "END"],
  "logit_bias": {"50256": -100},
  "seed": -12345678901234567890,
  "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {
    "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}],
  "user": null
}
"""

/// A realistic OpenAI chat-completion response.
let chatResponseText = """
{"id":"chatcmpl-9x8y7z","object":"chat.completion","created":1718000000,"model":"gpt-4o-mini-2024-07-18",
 "choices":[{"index":0,"message":{"role":"assistant","content":"Bonjour ! Voici \\"la\\" r\\u00e9ponse.\\n\\t- un\\n\\t- deux",
 "tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}}],
 "refusal":null},"logprobs":null,"finish_reason":"tool_calls"}],
 "usage":{"prompt_tokens":57,"completion_tokens":17,"total_tokens":74,"prompt_tokens_details":{"cached_tokens":0},
 "completion_tokens_details":{"reasoning_tokens":0}},"system_fingerprint":"fp_0ba0d124f1","score":1.5e-3}
"""

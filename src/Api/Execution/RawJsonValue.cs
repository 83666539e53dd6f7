using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sidewinder.Api.Execution;

/// <summary>A JSON value kept as the UTF-8 text it arrived in, written into a response as is.</summary>
/// <remarks>A job's value is already JSON when the worker hands it over (<see cref="Workers.JobResult.ValueJson"/>,
/// written by the interop layer's own writer). Parsing it into a <see cref="JsonElement"/> only to serialise it again
/// cost a document, a clone and a second pass over every byte per response; this type carries the bytes through.</remarks>
[JsonConverter(typeof(RawJsonValueConverter))]
public sealed class RawJsonValue
{
    private RawJsonValue(ReadOnlyMemory<byte> utf8) => Utf8 = utf8;

    /// <summary>The value as UTF-8 JSON text.</summary>
    public ReadOnlyMemory<byte> Utf8 { get; }

    /// <summary>Wraps JSON produced by a trusted writer (it is not validated again).</summary>
    public static RawJsonValue FromUtf8(ReadOnlyMemory<byte> utf8) => new(utf8);

    /// <summary>Wraps <paramref name="utf8"/>, or returns null for null.</summary>
    public static RawJsonValue? FromUtf8(ReadOnlyMemory<byte>? utf8) => utf8 is { } bytes ? new(bytes) : null;

    /// <summary>Serialises <paramref name="value"/> (examples, tests).</summary>
    public static RawJsonValue From<T>(T value) => new(JsonSerializer.SerializeToUtf8Bytes(value));

    /// <summary>Parses the value (for readers such as tests; the service itself never needs to).</summary>
    public JsonElement ToElement() => JsonDocument.Parse(Utf8).RootElement.Clone();

    /// <inheritdoc/>
    public override string ToString() => System.Text.Encoding.UTF8.GetString(Utf8.Span);
}

/// <summary>Writes a <see cref="RawJsonValue"/> without re-validating it; reads any JSON value into one.</summary>
internal sealed class RawJsonValueConverter : JsonConverter<RawJsonValue>
{
    /// <inheritdoc/>
    public override RawJsonValue Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        return RawJsonValue.From(document.RootElement);
    }

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, RawJsonValue value, JsonSerializerOptions options) =>
        writer.WriteRawValue(value.Utf8.Span, skipInputValidation: true);
}

using Microsoft.Extensions.Options;

namespace Sidewinder.Api.Hosting;

/// <summary>Binds an options class to its configuration section and validates it when the host starts.</summary>
internal static class OptionsExtensions
{
    /// <summary>Binds <typeparamref name="T"/> to <paramref name="section"/>; start-up fails with every message
    /// <paramref name="validate"/> returns (each names the setting to change).</summary>
    public static OptionsBuilder<T> BindValidated<T>(this WebApplicationBuilder builder, string section, Func<T, IReadOnlyList<string>> validate)
        where T : class
    {
        builder.Services.AddSingleton<IValidateOptions<T>>(new ListValidator<T>(validate));
        return builder.Services.AddOptions<T>().Bind(builder.Configuration.GetSection(section)).ValidateOnStart();
    }

    private sealed class ListValidator<T>(Func<T, IReadOnlyList<string>> validate) : IValidateOptions<T>
        where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            var errors = validate(options);
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}

using System;
using System.Collections.Generic;

namespace Cortex;

// What a brain carries into its file beyond its numbers: a name, user data and named sections
// (Runtime/Serialization writes and reads them).
public sealed partial class Brain
{
    private static readonly KeyValuePair<string, string>[] NoUserData = Array.Empty<KeyValuePair<string, string>>();
    private static readonly KeyValuePair<string, float[]>[] NoSections = Array.Empty<KeyValuePair<string, float[]>>();
    private string _name = "";
    private Dictionary<string, string>? _userData;
    private Dictionary<string, float[]>? _sections;

    /// <summary>A name saved with the brain ("" by default); at most 1024 chars to be saved.</summary>
    public string Name
    {
        get => _name;
        set => _name = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>The user's string entries, saved with the brain (keys 1–256 chars, values up to 65,536, at most 4096 entries).</summary>
    public IDictionary<string, string> UserData => _userData ??= new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// Named float arrays saved with the brain, for state that belongs with it — e.g. a learner's
    /// observation-normaliser mean and variance. Values must be finite; names 1–256 chars; at most 1024 sections.
    /// The arrays are copied when saved and handed over as they are when loaded.
    /// </summary>
    public IDictionary<string, float[]> Sections => _sections ??= new Dictionary<string, float[]>(StringComparer.Ordinal);

    // Clone carries the name, user entries and sections along with the numbers.
    private void CopyMetadataFrom(Brain source)
    {
        _name = source._name;
        foreach (KeyValuePair<string, string> entry in source.UserDataOrEmpty) UserData[entry.Key] = entry.Value;
        foreach (KeyValuePair<string, float[]> section in source.SectionsOrEmpty) Sections[section.Key] = (float[])section.Value.Clone();
    }

    internal IReadOnlyCollection<KeyValuePair<string, string>> UserDataOrEmpty => _userData ?? (IReadOnlyCollection<KeyValuePair<string, string>>)NoUserData;

    internal IReadOnlyCollection<KeyValuePair<string, float[]>> SectionsOrEmpty => _sections ?? (IReadOnlyCollection<KeyValuePair<string, float[]>>)NoSections;
}

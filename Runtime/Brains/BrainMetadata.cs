using System;
using System.Collections.Generic;

namespace Cortex;

/// <summary>What a brain carries into its file beyond its numbers: a name, user entries and named sections.</summary>
internal sealed class BrainMetadata
{
    private static readonly KeyValuePair<string, string>[] NoUserData = Array.Empty<KeyValuePair<string, string>>();
    private static readonly KeyValuePair<string, float[]>[] NoSections = Array.Empty<KeyValuePair<string, float[]>>();
    private Dictionary<string, string>? _userData;
    private Dictionary<string, float[]>? _sections;

    public string Name { get; set; } = "";

    public IDictionary<string, string> UserData => _userData ??= new Dictionary<string, string>(StringComparer.Ordinal);

    public IDictionary<string, float[]> Sections => _sections ??= new Dictionary<string, float[]>(StringComparer.Ordinal);

    /// <summary>The user entries without creating the dictionary.</summary>
    public IReadOnlyCollection<KeyValuePair<string, string>> UserDataOrEmpty => _userData ?? (IReadOnlyCollection<KeyValuePair<string, string>>)NoUserData;

    /// <summary>The sections without creating the dictionary.</summary>
    public IReadOnlyCollection<KeyValuePair<string, float[]>> SectionsOrEmpty => _sections ?? (IReadOnlyCollection<KeyValuePair<string, float[]>>)NoSections;

    /// <summary>Takes the name, user entries and copies of the sections of another brain (Clone).</summary>
    /// <param name="source">The other brain's metadata.</param>
    public void CopyFrom(BrainMetadata source)
    {
        Name = source.Name;
        foreach (KeyValuePair<string, string> entry in source.UserDataOrEmpty) UserData[entry.Key] = entry.Value;
        foreach (KeyValuePair<string, float[]> section in source.SectionsOrEmpty) Sections[section.Key] = (float[])section.Value.Clone();
    }
}

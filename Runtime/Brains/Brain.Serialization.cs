using System;
using System.Collections.Generic;
using System.IO;
using Cortex.Backends;
using Cortex.Serialization;

namespace Cortex;

// Brain files and ONNX export (Runtime/Serialization): what a brain carries into its file beyond its
// numbers, and the short forms of BrainFile / OnnxExporter.
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

    /// <summary>Saves the brain to a file atomically (see <see cref="BrainFile.Save"/>).</summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="options">What to include; null for the defaults (optimizer state included).</param>
    public void Save(string path, BrainSaveOptions? options = null) => BrainFile.Save(this, path, options);

    /// <summary>Writes the brain file to a stream (see <see cref="BrainFile.Write(Brain, Stream, BrainSaveOptions?)"/>).</summary>
    /// <param name="destination">A writable stream; left open.</param>
    /// <param name="options">What to include; null for the defaults.</param>
    public void Save(Stream destination, BrainSaveOptions? options = null) => BrainFile.Write(this, destination, options);

    /// <summary>Loads a brain saved with <see cref="Save(string, BrainSaveOptions?)"/>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="backend">Where to run; null for a private CPU backend.</param>
    /// <param name="options">Limits and overrides; null for the defaults.</param>
    /// <exception cref="BrainFormatException">The file is not a valid brain file.</exception>
    public static Brain Load(string path, IBackend? backend = null, BrainLoadOptions? options = null) => BrainFile.Load(path, backend, options);

    /// <summary>Reads a brain file from a stream (see <see cref="BrainFile.Read(Stream, IBackend?, BrainLoadOptions?)"/>).</summary>
    /// <param name="source">A readable stream positioned at the file's header.</param>
    /// <param name="backend">Where to run; null for a private CPU backend.</param>
    /// <param name="options">Limits and overrides; null for the defaults.</param>
    /// <exception cref="BrainFormatException">The bytes are not a valid brain file.</exception>
    public static Brain Load(Stream source, IBackend? backend = null, BrainLoadOptions? options = null) => BrainFile.Read(source, backend, options);

    /// <summary>Exports the network (inference only) as an ONNX model file (see <see cref="OnnxExporter"/>).</summary>
    /// <param name="path">The .onnx file to write (replaced atomically).</param>
    /// <param name="options">Names and opset; null for the defaults.</param>
    public void ExportOnnx(string path, OnnxExportOptions? options = null) => OnnxExporter.Save(this, path, options);

    /// <summary>Writes the network as an ONNX model to a stream (see <see cref="OnnxExporter"/>).</summary>
    /// <param name="destination">A writable stream; left open.</param>
    /// <param name="options">Names and opset; null for the defaults.</param>
    public void ExportOnnx(Stream destination, OnnxExportOptions? options = null) => OnnxExporter.Write(this, destination, options);
}

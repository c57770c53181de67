using System.IO;

namespace Cortex.Serialization;

/// <summary>
/// The short forms of <see cref="BrainFile"/> and <see cref="OnnxExporter"/> on a brain:
/// <c>brain.Save(path)</c>, <c>brain.ExportOnnx(path)</c>, for dense and recurrent brains. Loading is <see cref="BrainFile.Load"/>
/// (dense) or <see cref="BrainFile.LoadRecurrent"/> (recurrent).
/// </summary>
public static class BrainFileExtensions
{
    /// <summary>Saves the brain atomically (see <see cref="BrainFile.Save(Brain, string, BrainSaveOptions?)"/>).</summary>
    /// <param name="brain">The brain.</param>
    /// <param name="path">Destination file; replaced only when the whole new file is on disk.</param>
    /// <param name="options">What to include; null for the defaults.</param>
    public static void Save(this Brain brain, string path, BrainSaveOptions? options = null) => BrainFile.Save(brain, path, options);

    /// <summary>Writes the brain file to a stream (see <see cref="BrainFile.Write(Brain, Stream, BrainSaveOptions?)"/>).</summary>
    /// <param name="brain">The brain.</param>
    /// <param name="destination">A writable stream.</param>
    /// <param name="options">What to include; null for the defaults.</param>
    public static void Save(this Brain brain, Stream destination, BrainSaveOptions? options = null) => BrainFile.Write(brain, destination, options);

    /// <summary>Exports the network as an ONNX model file (see <see cref="OnnxExporter.Save"/>).</summary>
    /// <param name="brain">The brain.</param>
    /// <param name="path">Destination file.</param>
    /// <param name="options">Names and opset; null for the defaults.</param>
    public static void ExportOnnx(this Brain brain, string path, OnnxExportOptions? options = null) => OnnxExporter.Save(brain, path, options);

    /// <summary>Writes the ONNX model to a stream (see <see cref="OnnxExporter.Write"/>).</summary>
    /// <param name="brain">The brain.</param>
    /// <param name="destination">A writable stream.</param>
    /// <param name="options">Names and opset; null for the defaults.</param>
    public static void ExportOnnx(this Brain brain, Stream destination, OnnxExportOptions? options = null) => OnnxExporter.Write(brain, destination, options);

    /// <summary>Saves the recurrent brain atomically (see <see cref="BrainFile.Save(RecurrentBrain, string, BrainSaveOptions?)"/>); load it with <see cref="BrainFile.LoadRecurrent"/>.</summary>
    /// <param name="brain">The brain.</param>
    /// <param name="path">Destination file; replaced only when the whole new file is on disk.</param>
    /// <param name="options">What to include; null for the defaults.</param>
    public static void Save(this RecurrentBrain brain, string path, BrainSaveOptions? options = null) => BrainFile.Save(brain, path, options);

    /// <summary>Writes the recurrent brain's file to a stream (see <see cref="BrainFile.Write(RecurrentBrain, Stream, BrainSaveOptions?)"/>).</summary>
    /// <param name="brain">The brain.</param>
    /// <param name="destination">A writable stream.</param>
    /// <param name="options">What to include; null for the defaults.</param>
    public static void Save(this RecurrentBrain brain, Stream destination, BrainSaveOptions? options = null) => BrainFile.Write(brain, destination, options);
}

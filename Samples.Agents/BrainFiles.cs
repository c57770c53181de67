using System;
using System.IO;
using Cortex.Serialization;

namespace Cortex.Samples.Agents;

/// <summary>Loading and saving the sample's brains, with one-line errors.</summary>
public static class BrainFiles
{
    /// <summary>Loads the brain at <paramref name="path"/> (checking it fits the scenario) or creates a fresh one.</summary>
    public static Brain LoadOrCreate(string? path, Func<Brain> create, int inputs, int outputs)
    {
        if (path is null) return create();
        Brain brain;
        try
        {
            brain = BrainFile.Load(path);
        }
        catch (FileNotFoundException)
        {
            throw new SampleException($"no brain file at '{path}'");
        }
        catch (DirectoryNotFoundException)
        {
            throw new SampleException($"no brain file at '{path}' (the folder does not exist)");
        }
        catch (UnauthorizedAccessException e)
        {
            throw new SampleException($"cannot read '{path}': {e.Message}");
        }
        catch (BrainFormatException e)
        {
            throw new SampleException($"'{path}' is not a usable brain file: {e.Message}");
        }
        catch (IOException e)
        {
            throw new SampleException($"cannot read '{path}': {e.Message}");
        }
        if (brain.Inputs != inputs || brain.Outputs != outputs)
        {
            string shape = brain.Spec.ToString();
            brain.Dispose();
            throw new SampleException($"'{path}' holds a brain ({shape}) that does not fit this scenario, which needs {inputs} inputs and {outputs} outputs");
        }
        return brain;
    }

    /// <summary>Saves atomically; returns the full path.</summary>
    public static string Save(Brain brain, string path, string name)
    {
        brain.Name = name;
        try
        {
            brain.Save(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new SampleException($"cannot save to '{path}': {e.Message}");
        }
        return Path.GetFullPath(path);
    }
}

using System;
using Cortex.Serialization;

namespace Cortex.Learning;

/// <summary>How a recorded step ended its episode.</summary>
public enum EpisodeEnd : byte
{
    /// <summary>The episode goes on.</summary>
    None = 0,
    /// <summary>The episode really ended after this step.</summary>
    Terminated = 1,
    /// <summary>A time limit cut the episode after this step.</summary>
    Truncated = 2,
}

/// <summary>
/// Recorded play: per step the observation, the action taken (an <see cref="ActionSpec"/> row), the
/// reward and whether the episode ended. Saved as a demonstration file with the brain file's
/// guarantees (header, checksum, MemoryPack payload, atomic save; a bad file throws only
/// <see cref="DemonstrationFormatException"/>). Made by a <see cref="DemonstrationRecorder"/>.
/// </summary>
public sealed class Demonstration
{
    internal Demonstration(string? name, int observationSize, ActionSpec actions, float[] observations, float[] actionData, float[] rewards, byte[] ends)
    {
        Name = name;
        ObservationSize = observationSize;
        Actions = actions;
        ObservationData = observations;
        ActionData = actionData;
        RewardData = rewards;
        EndData = ends;
        foreach (byte e in ends) if (e != 0) Episodes++;
    }

    /// <summary>A free-form name (who or what played).</summary>
    public string? Name { get; }

    /// <summary>Floats per observation.</summary>
    public int ObservationSize { get; }

    /// <summary>The action layout.</summary>
    public ActionSpec Actions { get; }

    /// <summary>Recorded steps.</summary>
    public int Steps => RewardData.Length;

    /// <summary>Completed episodes (steps flagged terminated or truncated).</summary>
    public int Episodes { get; }

    /// <summary>Observations (Steps, ObservationSize).</summary>
    public ReadOnlySpan<float> Observations => ObservationData;

    /// <summary>Action rows (Steps, ActionSize).</summary>
    public ReadOnlySpan<float> ActionRows => ActionData;

    /// <summary>Rewards (Steps).</summary>
    public ReadOnlySpan<float> Rewards => RewardData;

    /// <summary>Episode ends (Steps).</summary>
    public ReadOnlySpan<byte> EpisodeEnds => EndData;

    internal float[] ObservationData { get; }

    internal float[] ActionData { get; }

    internal float[] RewardData { get; }

    internal byte[] EndData { get; }

    /// <summary>Mean return of the completed episodes (NaN when none).</summary>
    public double MeanEpisodeReturn()
    {
        double total = 0, episode = 0;
        int count = 0;
        for (int t = 0; t < Steps; t++)
        {
            episode += RewardData[t];
            if (EndData[t] == 0) continue;
            total += episode;
            episode = 0;
            count++;
        }
        return count == 0 ? double.NaN : total / count;
    }

    /// <summary>Saves atomically (temporary file, flush, rename).</summary>
    /// <param name="path">The file to create or replace.</param>
    public void Save(string path) => DemonstrationFile.Save(this, path);

    /// <summary>The whole file as bytes.</summary>
    public byte[] ToBytes() => DemonstrationFile.ToBytes(this);

    /// <summary>Loads a demonstration file.</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="DemonstrationFormatException">The file is not a valid demonstration file.</exception>
    public static Demonstration Load(string path) => DemonstrationFile.Load(path);

    /// <summary>Reads a demonstration from the bytes of one file.</summary>
    /// <param name="data">The file's bytes.</param>
    /// <exception cref="DemonstrationFormatException">The bytes are not a valid demonstration file.</exception>
    public static Demonstration Read(ReadOnlySpan<byte> data) => DemonstrationFile.Read(data);
}

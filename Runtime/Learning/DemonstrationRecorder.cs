using System;

namespace Cortex.Learning;

/// <summary>
/// Records an agent's observations, actions, rewards and episode ends while a heuristic (a scripted or
/// human player) drives it, for behaviour cloning. Storage grows by doubling, so recording allocates
/// only when it passes its capacity.
/// </summary>
public sealed class DemonstrationRecorder
{
    private float[] _observations, _actions, _rewards;
    private byte[] _ends;

    /// <summary>Creates a recorder.</summary>
    /// <param name="observationSize">Floats per observation, at least 1.</param>
    /// <param name="actions">The action layout.</param>
    /// <param name="initialCapacity">Steps to reserve.</param>
    public DemonstrationRecorder(int observationSize, ActionSpec actions, int initialCapacity = 1024)
    {
        if (observationSize < 1) throw new ArgumentOutOfRangeException(nameof(observationSize), observationSize, "observationSize must be at least 1.");
        Actions = actions ?? throw new ArgumentNullException(nameof(actions));
        if (initialCapacity < 1) throw new ArgumentOutOfRangeException(nameof(initialCapacity), initialCapacity, "initialCapacity must be at least 1.");
        ObservationSize = observationSize;
        _observations = new float[initialCapacity * observationSize];
        _actions = new float[initialCapacity * actions.ActionSize];
        _rewards = new float[initialCapacity];
        _ends = new byte[initialCapacity];
    }

    /// <summary>Floats per observation.</summary>
    public int ObservationSize { get; }

    /// <summary>The action layout.</summary>
    public ActionSpec Actions { get; }

    /// <summary>Steps recorded.</summary>
    public int Steps { get; private set; }

    /// <summary>Completed episodes recorded.</summary>
    public int Episodes { get; private set; }

    /// <summary>Records one step.</summary>
    /// <param name="observation">What the agent saw (ObservationSize).</param>
    /// <param name="action">What it did (ActionSize): branch indices, then continuous values.</param>
    /// <param name="reward">The reward that followed.</param>
    /// <param name="end">Whether the episode ended after this step.</param>
    public void Record(ReadOnlySpan<float> observation, ReadOnlySpan<float> action, float reward, EpisodeEnd end = EpisodeEnd.None)
    {
        int o = ObservationSize, a = Actions.ActionSize;
        if (observation.Length != o) throw new ArgumentException($"observation holds {observation.Length} values but the recorder stores {o}.", nameof(observation));
        if (action.Length != a) throw new ArgumentException($"action holds {action.Length} values but the action spec has {a}.", nameof(action));
        for (int b = 0; b < Actions.BranchCount; b++)
        {
            float v = action[b];
            if (!(v >= 0 && v < Actions.BranchSize(b)) || v != MathF.Floor(v)) throw new ArgumentException($"action[{b}] is {v}, not an index below {Actions.BranchSize(b)}.", nameof(action));
        }
        foreach (float v in observation) if (float.IsNaN(v) || float.IsInfinity(v)) throw new ArgumentException("observation holds a non-finite value.", nameof(observation));
        if (float.IsNaN(reward) || float.IsInfinity(reward)) throw new ArgumentException("reward is not finite.", nameof(reward));
        if (end > EpisodeEnd.Truncated) throw new ArgumentOutOfRangeException(nameof(end), end, "Unknown episode end.");
        if (Steps == _rewards.Length) Grow();
        observation.CopyTo(_observations.AsSpan(Steps * o, o));
        action.CopyTo(_actions.AsSpan(Steps * a, a));
        _rewards[Steps] = reward;
        _ends[Steps] = (byte)end;
        if (end != EpisodeEnd.None) Episodes++;
        Steps++;
    }

    /// <summary>Drops steps after the last completed episode (an episode cut short by stopping the recording).</summary>
    public void DiscardUnfinishedEpisode()
    {
        while (Steps > 0 && _ends[Steps - 1] == 0) Steps--;
    }

    /// <summary>A copy of what was recorded so far.</summary>
    /// <param name="name">A name for the demonstration.</param>
    public Demonstration ToDemonstration(string? name = null)
    {
        int o = ObservationSize, a = Actions.ActionSize;
        return new Demonstration(name, o, Actions, _observations.AsSpan(0, Steps * o).ToArray(), _actions.AsSpan(0, Steps * a).ToArray(),
            _rewards.AsSpan(0, Steps).ToArray(), _ends.AsSpan(0, Steps).ToArray());
    }

    /// <summary>Saves what was recorded atomically as a demonstration file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="name">A name for the demonstration.</param>
    public void Save(string path, string? name = null) => ToDemonstration(name).Save(path);

    private void Grow()
    {
        int capacity = _rewards.Length * 2;
        Array.Resize(ref _observations, capacity * ObservationSize);
        Array.Resize(ref _actions, capacity * Actions.ActionSize);
        Array.Resize(ref _rewards, capacity);
        Array.Resize(ref _ends, capacity);
    }
}

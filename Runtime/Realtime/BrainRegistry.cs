using System;

namespace Cortex.Realtime;

/// <summary>
/// An int-sized reference to a brain in a <see cref="BrainRegistry"/>, so that ECS components that
/// name their brain stay unmanaged. The default value names no brain.
/// </summary>
public readonly struct BrainHandle : IEquatable<BrainHandle>
{
    private BrainHandle(int value) => Value = value;

    /// <summary>The handle that names no brain.</summary>
    public static BrainHandle None => default;

    /// <summary>The raw value: 1 + the registry slot, 0 for <see cref="None"/>. Stable for the registry's lifetime.</summary>
    public int Value { get; }

    /// <summary>True unless this is <see cref="None"/> (it may still have been unregistered).</summary>
    public bool IsSome => Value > 0;

    internal int Slot => Value - 1;

    /// <summary>Rebuilds a handle from <see cref="Value"/> (e.g. when loading a saved world).</summary>
    /// <param name="value">At least 0.</param>
    public static BrainHandle FromValue(int value)
    {
        if (value < 0) throw new ArgumentOutOfRangeException(nameof(value), value, "A brain handle value must be non-negative.");
        return new BrainHandle(value);
    }

    internal static BrainHandle FromSlot(int slot) => new(slot + 1);

    /// <summary>True when both name the same slot.</summary>
    /// <param name="other">The other handle.</param>
    public bool Equals(BrainHandle other) => Value == other.Value;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is BrainHandle other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => Value;

    /// <summary>True when both name the same slot.</summary>
    /// <param name="left">One handle.</param>
    /// <param name="right">The other.</param>
    public static bool operator ==(BrainHandle left, BrainHandle right) => left.Equals(right);

    /// <summary>True unless both name the same slot.</summary>
    /// <param name="left">One handle.</param>
    /// <param name="right">The other.</param>
    public static bool operator !=(BrainHandle left, BrainHandle right) => !left.Equals(right);

    /// <inheritdoc />
    public override string ToString() => IsSome ? $"Brain#{Value}" : "Brain#none";
}

/// <summary>
/// Maps <see cref="BrainHandle"/>s to brains. Handles are never reused, so a stale handle fails loudly
/// instead of reaching another brain. The registry does not own the brains (it never disposes them).
/// Use from one thread (the game thread).
/// </summary>
public sealed class BrainRegistry
{
    private Brain?[] _brains;
    private int _slots;

    /// <summary>Creates an empty registry.</summary>
    /// <param name="capacity">Slots to reserve up front, at least 1.</param>
    public BrainRegistry(int capacity = 16)
    {
        if (capacity < 1) throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "capacity must be at least 1.");
        _brains = new Brain?[capacity];
    }

    /// <summary>Brains currently registered.</summary>
    public int Count { get; private set; }

    /// <summary>Slots handed out so far (registered or not); handle values lie in [1, SlotCount].</summary>
    public int SlotCount => _slots;

    /// <summary>Bumped by every <see cref="Register"/>, <see cref="Replace"/> and <see cref="Unregister"/>.</summary>
    public int Version { get; private set; }

    /// <summary>The brain behind a handle; throws when the handle is none, unknown or unregistered.</summary>
    /// <param name="handle">A handle from this registry.</param>
    public Brain this[BrainHandle handle] => Get(handle);

    /// <summary>Adds a brain and returns its handle.</summary>
    /// <param name="brain">The brain (one brain may be registered under several handles).</param>
    public BrainHandle Register(Brain brain)
    {
        if (brain is null) throw new ArgumentNullException(nameof(brain));
        if (_slots == _brains.Length) Array.Resize(ref _brains, _brains.Length * 2);
        _brains[_slots] = brain;
        Count++;
        Version++;
        return BrainHandle.FromSlot(_slots++);
    }

    /// <summary>
    /// Puts another brain behind an existing handle (e.g. one just loaded from a file); components keep their handle.
    /// A <see cref="ThinkSystem"/> picks the new brain up from its next tick.
    /// </summary>
    /// <param name="handle">A registered handle.</param>
    /// <param name="brain">The new brain.</param>
    public void Replace(BrainHandle handle, Brain brain)
    {
        if (brain is null) throw new ArgumentNullException(nameof(brain));
        _ = Get(handle);
        _brains[handle.Slot] = brain;
        Version++;
    }

    /// <summary>Removes a brain; its handle is not reused. Returns false when it was not registered.</summary>
    /// <param name="handle">The handle.</param>
    public bool Unregister(BrainHandle handle)
    {
        if (!TryGet(handle, out _)) return false;
        _brains[handle.Slot] = null;
        Count--;
        Version++;
        return true;
    }

    /// <summary>True when the handle names a registered brain.</summary>
    /// <param name="handle">The handle.</param>
    public bool Contains(BrainHandle handle) => TryGet(handle, out _);

    /// <summary>The brain behind a handle, if any.</summary>
    /// <param name="handle">The handle.</param>
    /// <param name="brain">The brain, or null.</param>
    public bool TryGet(BrainHandle handle, out Brain brain)
    {
        int slot = handle.Slot;
        if ((uint)slot < (uint)_slots && _brains[slot] is { } found)
        {
            brain = found;
            return true;
        }
        brain = null!;
        return false;
    }

    /// <summary>The brain behind a handle; throws an <see cref="ArgumentException"/> that says why when there is none.</summary>
    /// <param name="handle">A handle from this registry.</param>
    public Brain Get(BrainHandle handle)
    {
        if (TryGet(handle, out Brain brain)) return brain;
        throw UnknownHandle(handle, nameof(handle));
    }

    internal Brain? AtSlot(int slot) => (uint)slot < (uint)_slots ? _brains[slot] : null;

    internal ArgumentException UnknownHandle(BrainHandle handle, string parameter)
    {
        if (!handle.IsSome) return new ArgumentException("The brain handle is None (a component whose brain was never set?).", parameter);
        if (handle.Slot >= _slots) return new ArgumentException($"{handle} is not from this registry (it has {_slots} slots).", parameter);
        return new ArgumentException($"{handle} was unregistered.", parameter);
    }
}
